#!/usr/bin/python3
"""Prints test/fixtures/vectors/families/passlib-suite.json: passlib 1.7.4's own unit-test vectors (Debian
python3-passlib) for every passlib handler whose format entra-migrate supported before issue 13 — the handlers the
other family scripts do not already cover. Correct hashes must match (and a one-character change must not), malformed
and unidentified ones must be refused, disabled ones never match. Every entry is checked against passlib here, so a
vector passlib itself does not hold to is never written. Run with Debian's Python:

    /usr/bin/python3 scripts/vectors/passlib-suite.py > test/fixtures/vectors/families/passlib-suite.json
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

from passlib import hash as ph  # noqa: E402
from passlib.tests import test_handlers as th  # noqa: E402
from passlib.tests import test_handlers_argon2 as ta  # noqa: E402
from passlib.tests import test_handlers_bcrypt as tb  # noqa: E402
from passlib.tests import test_handlers_django as td  # noqa: E402
from passlib.tests import test_handlers_pbkdf2 as tp  # noqa: E402
from passlib.tests import test_handlers_scrypt as ts  # noqa: E402

# passlib handler, its unit-test case, our scheme id, params for a named scheme, which of its hashes to take
# (bcrypt's `$2$` and scrypt's `$7$` are in library.json already).
HANDLERS = [
    (ph.apr_md5_crypt, th.apr_md5_crypt_test, "md5-crypt", None, None),
    (ph.md5_crypt, th._md5_crypt_test, "md5-crypt", None, None),
    (ph.des_crypt, th._des_crypt_test, "des-crypt", None, None),
    (ph.sha256_crypt, th._sha256_crypt_test, "sha-crypt", None, None),
    (ph.sha512_crypt, th._sha512_crypt_test, "sha-crypt", None, None),
    # `$2x$` is refused by passlib but taken here on purpose: crypt_blowfish (PHP, Openwall) writes it for hashes made
    # by its pre-2011 sign-extension bug, and docs/hashes.md lists it.
    (ph.bcrypt, tb._bcrypt_test, "bcrypt", None, lambda h: not h.startswith(("$2$", "$2x$"))),
    (ph.argon2, ta._base_argon2_test, "argon2", None, None),
    (ph.scrypt, ts._scrypt_test, "scrypt", None, lambda h: not h.startswith("$7$")),
    (ph.phpass, th.phpass_test, "phpass", None, None),
    (ph.pbkdf2_sha1, tp.pbkdf2_sha1_test, "passlib-pbkdf2", None, None),
    (ph.pbkdf2_sha256, tp.pbkdf2_sha256_test, "passlib-pbkdf2", None, None),
    (ph.pbkdf2_sha512, tp.pbkdf2_sha512_test, "passlib-pbkdf2", None, None),
    (ph.atlassian_pbkdf2_sha1, tp.atlassian_pbkdf2_sha1_test, "atlassian-pkcs5s2", None, None),
    (ph.ldap_md5, th.ldap_md5_test, "ldap-digest", None, None),
    (ph.ldap_sha1, th.ldap_sha1_test, "ldap-digest", None, None),
    (ph.ldap_salted_md5, th.ldap_salted_md5_test, "ldap-digest", None, None),
    (ph.ldap_salted_sha1, th.ldap_salted_sha1_test, "ldap-digest", None, None),
    (ph.ldap_salted_sha256, th.ldap_salted_sha256_test, "ldap-digest", None, None),
    (ph.ldap_salted_sha512, th.ldap_salted_sha512_test, "ldap-digest", None, None),
    (ph.hex_md5, th.hex_md5_test, "digest", {"algorithm": "md5"}, None),
    (ph.hex_sha1, th.hex_sha1_test, "digest", {"algorithm": "sha1"}, None),
    (ph.hex_sha256, th.hex_sha256_test, "digest", {"algorithm": "sha256"}, None),
    (ph.hex_sha512, th.hex_sha512_test, "digest", {"algorithm": "sha512"}, None),
    (ph.mssql2000, th.mssql2000_test, "mssql", None, None),
    (ph.mssql2005, th.mssql2005_test, "mssql", None, None),
    (ph.mysql323, th.mysql323_test, "mysql323", None, None),
    (ph.mysql41, th.mysql41_test, "mysql41", None, None),
    (ph.postgres_md5, th.postgres_md5_test, "postgres-md5", None, None),
    (ph.htdigest, th.htdigest_test, "htdigest", None, None),
]
# Handlers passlib ships without a vector list of their own: fresh hashes from the handler, checked by it.
FRESH = [(ph.ldap_hex_md5, "ldap-digest"), (ph.ldap_hex_sha1, "ldap-digest"), (ph.roundup_plaintext, "roundup-plaintext")]
FRESH_PASSWORDS = ["password", "táБℓə", "correct horse battery staple", "{plaintext}"]

LDAP_PBKDF2 = [
    (ph.ldap_pbkdf2_sha1, "{PBKDF2}1212$OB.dtnSEXZK8U5cgxU/GYQ$y5LKPOplRmok7CZp/aqVDVg8zGI"),
    (ph.ldap_pbkdf2_sha256, "{PBKDF2-SHA256}1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ"),
    (ph.ldap_pbkdf2_sha512, "{PBKDF2-SHA512}1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww"),
]


def taken_on_purpose(scheme, hash_):
    """Hashes passlib refuses that entra-migrate takes on purpose, each for a real system (see the formats' comments)."""
    if scheme == "ldap-digest" and hash_.startswith("{S"):
        # OpenLDAP's checker takes a salt of 1 to 3 bytes (passlib wants 4): digest + short salt, canonical base64
        import base64
        import binascii
        digest = {"{SMD5}": 16, "{SSHA}": 20, "{SSHA256}": 32, "{SSHA512}": 64}.get(hash_[:hash_.index("}") + 1])
        body = hash_[hash_.index("}") + 1:]
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return False
        return digest is not None and base64.b64encode(raw).decode() == body and digest < len(raw) < digest + 4
    return False


def text(secret):
    """passlib's tests give some secrets as UTF-8 bytes; the vectors carry text (others are left out)."""
    if isinstance(secret, bytes):
        try:
            return secret.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return secret


def refused(handler, hash_, **context):
    try:
        handler.verify("password", hash_, **context)
    except (ValueError, TypeError):
        return True
    return False


def main():
    out = []
    for handler, case, scheme, params, keep in HANDLERS:
        source = f"passlib 1.7.4 tests {case.__name__}"
        keep = keep or (lambda h: True)
        for secret, hash_ in case.known_correct_hashes:
            if not keep(hash_):
                continue
            context, entry_params = {}, dict(params or {})
            if isinstance(secret, tuple):  # (password, user[, realm]) for the formats salted with the user name
                secret, user, *realm = secret
                context["user"] = user
                entry_params["username"] = user
                if realm:
                    context["realm"] = entry_params["realm"] = realm[0]
            password = text(secret)
            if password is None:
                continue
            assert handler.verify(password, hash_, **context), (scheme, hash_)
            entry = {"format": scheme, "password": password, "hash": hash_, "source": f"{source}.known_correct_hashes"}
            if entry_params:
                entry["params"] = entry_params
            out.append(entry)
        refusals = [(h, "known_malformed_hashes") for h in getattr(case, "known_malformed_hashes", [])]
        refusals += [(h, "known_unidentified_hashes") for h in getattr(case, "known_unidentified_hashes", [])]
        for hash_, kind in refusals:
            if isinstance(hash_, bytes) or not keep(hash_):
                continue  # a bytes hash tests passlib's own input types, not a stored string
            context = {name: name for name in handler.context_kwds}
            if taken_on_purpose(scheme, hash_):
                continue
            if scheme == "des-crypt" and hash_.startswith("!"):
                # `!` before a hash is a locked /etc/shadow account: never a match, and no error (issue 13)
                out.append({"format": scheme, "password": "password", "hash": hash_, "disabled": True,
                            "source": f"{source}.{kind}: malformed for passlib, a locked account here"})
                continue
            siblings = [other for other, _, same, same_params, _ in HANDLERS if same == scheme and same_params == params]
            if not all(refused(other, hash_, **context) for other in siblings):
                # passlib takes it, as this handler or as another that our scheme also covers (mssql2000's
                # unidentified hashes are mssql2005 hashes, and `mssql` is both): not a malformed vector
                continue
            entry = {"format": scheme, "hash": hash_, "malformed": True, "source": f"{source}.{kind} (refused by {handler.name})"}
            if params or context:
                entry["params"] = {**(params or {}), **{("username" if k == "user" else k): v for k, v in context.items()}}
            out.append(entry)
    # ldap_pbkdf2_test has no vector lists: its three wrapper checks, as vectors.
    for handler, hash_ in LDAP_PBKDF2:
        assert handler.verify("password", hash_)
        out.append({"format": "ldap-pbkdf2", "password": "password", "hash": hash_,
                    "source": f"passlib 1.7.4 tests ldap_pbkdf2_test.test_wrappers ({handler.name})"})
    for handler, scheme in FRESH:
        for password in FRESH_PASSWORDS:
            hash_ = handler.hash(password)
            assert handler.verify(password, hash_)
            out.append({"format": scheme, "password": password, "hash": hash_, "source": f"passlib 1.7.4 {handler.name}.hash()"})
    # unix_disabled and django_disabled: a locked account's marker never matches, and is not an error.
    for handler, case in ((ph.unix_disabled, th.unix_disabled_test), (ph.django_disabled, td.django_disabled_test)):
        for secret, hash_ in case.known_correct_hashes:
            assert not handler.verify(secret, hash_)
            out.append({"format": "disabled", "password": secret, "hash": hash_, "disabled": True,
                        "source": f"passlib 1.7.4 tests {case.__name__}.known_correct_hashes"})
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
