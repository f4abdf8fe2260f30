#!/usr/bin/python3
"""Vectors of the `unix-crypt` family (sha1-crypt, sun-md5-crypt, bigcrypt, crypt16 and the LDAP {CRYPT} forms of
crypt(3) hashes) for test/legacy/hashes/family-vectors.test.ts, written by passlib 1.7.4's own handlers (sha1_crypt
through libxcrypt when passlib picks its os_crypt backend) and copied from its own unit tests.

Run with Debian's Python (python3-passlib installed), never with this project's code:

    /usr/bin/python3 scripts/vectors/unix-crypt.py > test/fixtures/vectors/families/unix-crypt.json

`disabled` has no vectors here (nothing ever matches it: test/legacy/hashes/unix-crypt.test.ts checks it), nor has
bsdi_crypt (compute/des-crypt.ts, in the worker pool).
"""
import json
import warnings
import sys

from passlib import hash as ph
import passlib.tests.test_handlers as th

# our scheme id -> (passlib handler, its unit-test case, settings for fresh hashes)
FORMATS = [
    ("sha1-crypt", ph.sha1_crypt, th._sha1_crypt_test, [{"rounds": 1}, {"rounds": 480}, {"rounds": 5000}, {"rounds": 24680}]),
    ("sun-md5-crypt", ph.sun_md5_crypt, th.sun_md5_crypt_test, [{"rounds": 0}, {"rounds": 1}, {"rounds": 5000}, {}]),
    ("bigcrypt", ph.bigcrypt, th.bigcrypt_test, [{}]),
    ("crypt16", ph.crypt16, th.crypt16_test, [{}]),
    ("bsdi-crypt", ph.bsdi_crypt, th._bsdi_crypt_test, [{"rounds": 1}, {"rounds": 5001}, {"rounds": 725}, {}]),
]
# {CRYPT}-wrapped (passlib's ldap_*_crypt): checked as the `prefixed` scheme, which prepares the inner hash by shape.
LDAP_CRYPT = [ph.ldap_sha1_crypt, ph.ldap_md5_crypt, ph.ldap_sha256_crypt, ph.ldap_sha512_crypt, ph.ldap_bcrypt, ph.ldap_des_crypt, ph.ldap_bsdi_crypt]

LOW_COST = {"ldap_sha1_crypt": {"rounds": 5000}, "ldap_sha256_crypt": {"rounds": 6000}, "ldap_sha512_crypt": {"rounds": 6000},
            "ldap_bcrypt": {"rounds": 6}}

PASSWORDS = ["password", "Pässwörd 1", "correct horse battery staple", "", "p@55:w0rd!$", "\u5bc6\u7801\u00e9"]
# bigcrypt: one block per 8 bytes, up to 16 blocks (128 bytes)
BIG_PASSWORDS = PASSWORDS + ["12345678", "123456789", "x" * 64, "ab" * 60 + "cdefghij"]

MALFORMED = {
    "bsdi-crypt": [
        "_K1..crsmZxOLzfJH8i",                                # 19 characters
        "_K1..crsmZxOLzfJH8iw!",                              # bad character
        "_K1..crsmZxOLzfJH8iwx.",                             # trailing characters
    ],
    "sha1-crypt": [
        "$sha1$010$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7",   # leading zero
        "$sha1$0$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7",     # no rounds
        "$sha1$10$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au",     # checksum one short
        "$sha1$10$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7.",   # one too many
        "$sha1$10$c.mc_zCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7",    # bad salt character
        "$sha1$10$" + "a" * 65 + "$gF8UeYst9yXX7WNZKc5Fjkq0.au7",  # salt over 64
        "$sha1$10$c.mcTzCw",                                  # a setting, no checksum
        "$sha1$4294967296$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7",  # rounds over 32 bits
        "$sha1$-10$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7",
    ],
    "sun-md5-crypt": [
        "$md5,rounds=5000$RPgLF6IJ$WTvAlUJ7MqH5xak2FMEwS",   # checksum one short
        "$md5,rounds=4294963200$RPgLF6IJ$$WTvAlUJ7MqH5xak2FMEwS/",  # rounds over Solaris' bound
        "$md5$RPgLF6IJ",                                      # a setting, no checksum
        "$md5,rounds=5000$RPgLF6IJ$$WTvAlUJ7MqH5xak2FMEwS/ ",
    ],
    "bigcrypt": [
        "qiyh4XPJGsOZ",                                       # no whole block
        "qiyh4XPJGsOZ2MEAyLkfW_eQ",                           # bad character
        "",
    ],
    "crypt16": [
        "qi8H8R7OM4xMUNMPuRAZxlY",                            # one short
        "qi8H8R7OM4xMUNMPuRAZxlY..",                          # one too many
        "qi8H8R7OM4xMUNMPuRAZxl!.",                           # bad character
    ],
}


def text(secret):
    """passlib's tests give some secrets as UTF-8 bytes: the vectors carry text."""
    return secret.decode("utf-8") if isinstance(secret, bytes) else secret


def refused(handler, hash_):
    try:
        handler.verify("password", hash_)
    except ValueError:
        return True
    return False


def main():
    warnings.simplefilter("ignore", DeprecationWarning)
    out = []
    for scheme, handler, case, settings in FORMATS:
        name = handler.name
        # 1. passlib's own unit-test vectors
        for secret, hash_ in case.known_correct_hashes:
            secret = text(secret)
            assert handler.verify(secret, hash_), (scheme, hash_)
            out.append({"format": scheme, "password": secret, "hash": hash_,
                        "source": f"passlib 1.7.4 tests {case.__name__}.known_correct_hashes ({name})"})
        for config, secret, hash_ in getattr(case, "known_correct_configs", []):
            if handler.verify(text(secret), hash_):
                out.append({"format": scheme, "password": text(secret), "hash": hash_,
                            "source": f"passlib 1.7.4 tests {case.__name__}.known_correct_configs ({name})"})
        # 2. fresh hashes from passlib's handler
        passwords = BIG_PASSWORDS if scheme == "bigcrypt" else PASSWORDS
        for i, password in enumerate(passwords):
            kwds = settings[i % len(settings)]
            out.append({"format": scheme, "password": password, "hash": handler.using(**kwds).hash(password),
                        "source": f"passlib 1.7.4 {name}.using({', '.join(f'{k}={v}' for k, v in kwds.items())}).hash()"})
        if scheme == "sun-md5-crypt":
            # the "bare salt" strings Solaris also wrote (no `$` after the salt): passlib's bare_salt=True
            for password, config in (("password", "$md5,rounds=100$kS9FT1JC"), ("Pässwörd 1", "$md5$3UqYqndY")):
                out.append({"format": scheme, "password": password, "hash": handler.genhash(password, config),
                            "source": f"passlib 1.7.4 {name}.genhash(password, {config!r}) (a config without the trailing $: bare salt)"})
        # 3. malformed: passlib's own known_malformed_hashes and ours, refused by passlib too
        for hash_ in list(getattr(case, "known_malformed_hashes", [])) + list(getattr(case, "known_unidentified_hashes", [])) + MALFORMED[scheme]:
            if not refused(handler, hash_):
                raise SystemExit(f"passlib accepts {scheme} {hash_!r}: not a malformed vector")
            out.append({"format": scheme, "hash": hash_, "malformed": True, "source": f"refused by passlib 1.7.4 {name} (ValueError)"})
    for handler in LDAP_CRYPT:
        case = getattr(th, f"_{handler.name}_test", None)
        for secret, hash_ in getattr(case, "known_correct_hashes", []):
            assert handler.verify(text(secret), hash_), hash_
            out.append({"format": "prefixed", "password": text(secret), "hash": hash_,
                        "source": f"passlib 1.7.4 tests {case.__name__}.known_correct_hashes ({handler.name})"})
        for password in ("password", "Pässwörd 1"):
            # Low costs keep the suite quick; the formats' default costs are in test/fixtures/vectors/hashes.json.
            kwds = LOW_COST.get(handler.name, {})
            out.append({"format": "prefixed", "password": password, "hash": handler.using(**kwds).hash(password),
                        "source": f"passlib 1.7.4 {handler.name}.hash()"})
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
