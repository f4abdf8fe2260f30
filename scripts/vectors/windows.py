#!/usr/bin/python3
"""Vectors of the `windows` family (NT/LM hashes, MS Cache v1/v2, Oracle 10g/11g, Cisco) for
test/legacy/hashes/family-vectors.test.ts, written by passlib 1.7.4's own handlers and copied from its own unit tests.

Run with Debian's Python (python3-passlib installed), never with this project's code:

    /usr/bin/python3 scripts/vectors/windows.py > test/fixtures/vectors/families/windows.json
"""
import json
import sys

from passlib import hash as ph
import passlib.tests.test_handlers as th
import passlib.tests.test_handlers_cisco as tc

# our scheme id -> (passlib handler, its unit-test case, needs a user name)
FORMATS = [
    ("nthash", ph.nthash, th.nthash_test, False),
    ("bsd-nthash", ph.bsd_nthash, th.bsd_nthash_test, False),
    ("hex-md4", ph.hex_md4, th.hex_md4_test, False),
    ("msdcc", ph.msdcc, th.msdcc_test, True),
    ("msdcc2", ph.msdcc2, th.msdcc2_test, True),
    ("oracle11", ph.oracle11, th.oracle11_test, False),
    ("cisco-type7", ph.cisco_type7, tc.cisco_type7_test, False),
    ("lmhash", ph.lmhash, th.lmhash_test, False),
    ("oracle10", ph.oracle10, th.oracle10_test, True),
    ("cisco-pix", ph.cisco_pix, tc.cisco_pix_test, False),
    ("cisco-asa", ph.cisco_asa, tc.cisco_asa_test, False),
]

PASSWORDS = ["password", "Pässwörd 1", "correct horse battery staple", "", "p@55:w0rd!", "\u5bc6\u7801\u00e9"]
USERS = ["Administrator", "jdoe", "Ölaf", "SCOTT"]
# LM hashes only what cp437 can encode, and at most 14 bytes.
LM_PASSWORDS = ["password", "Pässwörd 1", "", "p@55:w0rd!", "ENCYCLOPÆDIA", "abcdefghijklmnopq"]
PIX_PASSWORDS = ["cisco", "Pässwörd", "", "0123456789abcdef"]
ASA_PASSWORDS = PIX_PASSWORDS + ["0123456789abcdefghij", "0123456789abcdefghijklmnopqrstuv", "éééééééééééééé"]

# Hashes every handler refuses (checked below against passlib: a shape passlib accepts is not listed here).
MALFORMED = {
    "nthash": ["7f8fe03093cc84b267b109625f6bbf4", "7f8fe03093cc84b267b109625f6bbf4b0", "7f8fe03093cc84b267b109625f6bbfxb",
               "7f8fe03093cc84b267b109625f6bbf4b ", "$3$$7f8fe03093cc84b267b109625f6bbf4b", ""],
    "bsd-nthash": ["$3$$7f8fe03093cc84b267b109625f6bbfxb", "$3$$7f8fe03093cc84b267b109625f6bbf4", "$3$7f8fe03093cc84b267b109625f6bbf4b",
                   "7f8fe03093cc84b267b109625f6bbf4b", "$3$$7f8fe03093cc84b267b109625f6bbf4b$", "$3$$"],
    "hex-md4": ["8a9d093f14f8701df17732b2bb182c7", "8a9d093f14f8701df17732b2bb182c74a", "8a9d093f14f8701df17732b2bb182c7z", " 8a9d093f14f8701df17732b2bb182c74"],
    "msdcc": ["b1176c2587478785ec1037e5abc916d", "b1176c2587478785ec1037e5abc916d0f", "b1176c2587478785ec1037e5abc916dg"],
    "msdcc2": ["607bbe89611e37446e736f7856515bf", "607bbe89611e37446e736f7856515bf8a", "607bbe89611e37446e736f7856515bfz"],
    "oracle11": ["S:5FDAB69F543563582BA57894FE1C1361FB8ED57B903603F2C52ED1B4D64", "S:5FDAB69F543563582BA57894FE1C1361FB8ED57B903603F2C52ED1B4D6420",
                 "S:5FDAB69F543563582BA57894FE1C1361FB8ED57B903603F2C52ED1B4D64G", "T:5FDAB69F543563582BA57894FE1C1361FB8ED57B903603F2C52ED1B4D642",
                 # passlib takes the digest in either case but the salt only in upper case (oracle11.salt_chars)
                 "S:5FDAB69F543563582BA57894FE1C1361FB8ED57B903603f2c52ed1b4d642",
                 "5FDAB69F543563582BA57894FE1C1361FB8ED57B903603F2C52ED1B4D642", "S:5FDAB69F543563582BA57894FE1C1361FB8ED57B903603F2C52ED1B4D642 "],
    "cisco-type7": ["0", "A1480E051A33490E", "53480E051A33490E", "99400E4812", "04480E051A33490G", "-1480E051A33490E"],
    "lmhash": ["855c3697d9979e78ac404c4ba2c6653", "855c3697d9979e78ac404c4ba2c665330", "855c3697d9979e78ac404c4ba2c6653X"],
    "oracle10": ["F894844C34402B6", "F894844C34402B670", "F894844C34402B6Z"],
    "cisco-pix": ["2KFQnbNIdI.2KYO", "2KFQnbNIdI.2KYOU.", "2KFQnbNIdI+2KYOU", "2KFQnbNIdI$2KYOU"],
    "cisco-asa": ["2KFQnbNIdI.2KYO", "2KFQnbNIdI.2KYOU.", "2KFQnbNIdI+2KYOU", "2KFQnbNIdI=2KYOU"],
}

# Not the output of any handler, yet passlib only answers False for them rather than raising.
STRICTER = {"cisco-type7": ["045", "04480E051A33490"]}


def text(secret):
    """passlib's tests give some secrets as UTF-8 bytes: the vectors carry text."""
    return secret.decode("utf-8") if isinstance(secret, bytes) else secret


def entry(scheme, password, hash_, source, user=None, encoding=None):
    params = {}
    if user:
        params["username"] = user
    if encoding:
        params["encoding"] = encoding
    out = {"format": scheme, "password": password, "hash": hash_}
    if params:
        out["params"] = params
    out["source"] = source
    return out


def context(scheme, handler, needs_user, user, encoding=None):
    kwds = {}
    if needs_user or (scheme.startswith("cisco-p") or scheme.startswith("cisco-a")) and user:
        kwds["user"] = user
    if encoding:
        kwds["encoding"] = encoding
    return kwds


def main():
    out = []
    for scheme, handler, case, needs_user in FORMATS:
        name = handler.name
        # 1. passlib's own unit-test vectors (passlib/tests/test_handlers*.py, known_correct_hashes)
        for secret, hash_ in case.known_correct_hashes:
            user, encoding = None, None
            if isinstance(secret, tuple):
                secret, extra = secret
                if scheme == "lmhash":
                    encoding = {None: None, "cp437": None, "latin-1": "latin1", "utf-8": "utf-8"}[extra]
                else:
                    user = extra
            elif needs_user:
                user = "user"  # passlib's UserHandlerMixin.default_user
            secret = text(secret)
            assert handler.verify(secret, hash_, **context(scheme, handler, needs_user, user, encoding)), (scheme, hash_)
            out.append(entry(scheme, secret, hash_, f"passlib 1.7.4 tests {case.__name__}.known_correct_hashes ({name})", user, encoding))
        # 2. fresh hashes from passlib's handler
        if scheme in ("cisco-pix", "cisco-asa"):
            passwords = PIX_PASSWORDS if scheme == "cisco-pix" else ASA_PASSWORDS
            for i, password in enumerate(passwords):
                for user in (None, USERS[i % len(USERS)]):
                    kwds = {"user": user} if user else {}
                    out.append(entry(scheme, password, handler.hash(password, **kwds), f"passlib 1.7.4 {name}.hash()", user))
        passwords = [] if scheme.startswith("cisco-") and scheme != "cisco-type7" else LM_PASSWORDS if scheme == "lmhash" else PASSWORDS
        for i, password in enumerate(passwords):
            user = USERS[i % len(USERS)] if needs_user else None
            kwds = {"user": user} if user else {}
            if scheme == "cisco-type7":
                for salt in (0, 9, 15, 52):
                    out.append(entry(scheme, password, handler.using(salt=salt).hash(password), f"passlib 1.7.4 {name}.using(salt={salt}).hash()"))
                continue
            out.append(entry(scheme, password, handler.hash(password, **kwds), f"passlib 1.7.4 {name}.hash()", user))
        if scheme in ("nthash", "lmhash", "msdcc", "msdcc2", "hex-md4", "oracle11", "cisco-type7", "oracle10", "bsd-nthash"):
            # The other case of the hex digits: passlib accepts it (pwdump/secretsdump print NT and LM hashes either way;
            # Oracle 10g's DBA_USERS shows upper case, some exports lower).
            sample = out[-1]
            swapped = sample["hash"][:4] + sample["hash"][4:].swapcase() if scheme == "bsd-nthash" else (
                "S:" + sample["hash"][2:42].lower() + sample["hash"][42:] if scheme == "oracle11" else sample["hash"][:2] + sample["hash"][2:].swapcase())
            kwds = context(scheme, handler, needs_user, sample.get("params", {}).get("username"))
            assert handler.verify(sample["password"], swapped, **kwds), (scheme, swapped)
            out.append({**sample, "hash": swapped, "source": sample["source"] + ", hex digits in the other case (passlib accepts it)"})
            if scheme == "oracle11":
                # passlib's pattern is case-insensitive, the prefix included
                assert handler.verify(sample["password"], "s:" + sample["hash"][2:])
                out.append({**sample, "hash": "s:" + sample["hash"][2:], "source": sample["source"] + ", lower-case s: (passlib accepts it)"})
        # 3. malformed: refused by passlib too
        for hash_ in MALFORMED[scheme]:
            user = "user" if needs_user else None
            try:
                handler.verify("password", hash_, **context(scheme, handler, needs_user, user))
                raise SystemExit(f"passlib accepts {scheme} {hash_!r}: not a malformed vector")
            except ValueError:
                pass
            bad = {"format": scheme, "hash": hash_, "malformed": True, "source": f"refused by passlib 1.7.4 {name} (ValueError)"}
            if user:
                bad["params"] = {"username": user}
            out.append(bad)
        for hash_ in STRICTER.get(scheme, []):
            # passlib does not raise on these but can never match them (verify answers False): we refuse them.
            assert handler.verify("", hash_) is False, (scheme, hash_)
            out.append({"format": scheme, "hash": hash_, "malformed": True, "source": f"never a match in passlib 1.7.4 {name} (odd number of hex digits); refused here"})
        if needs_user:
            # Salted with the user name: without it the hash cannot be checked (our rule, passlib raises TypeError).
            out.append({"format": scheme, "hash": case.known_correct_hashes[0][1], "malformed": True,
                        "source": f"no params.username ({name} requires user=)"})
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
