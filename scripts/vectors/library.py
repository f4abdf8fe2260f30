#!/usr/bin/python3
"""Prints test/fixtures/vectors/families/library.json: the library-specific formats (issue 13) and the variants of
existing families that H9 added, made by passlib 1.7.4 (Debian python3-passlib) and libxcrypt (python3 `crypt`),
never by entra-migrate. Run with Debian's Python:

    /usr/bin/python3 scripts/vectors/library.py > test/fixtures/vectors/families/library.json
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")

from passlib import hash as ph  # noqa: E402
from passlib.tests import test_handlers as th  # noqa: E402
from passlib.tests import test_handlers_bcrypt as tb  # noqa: E402
from passlib.tests import test_handlers_django as td  # noqa: E402
from passlib.tests import test_handlers_pbkdf2 as tp  # noqa: E402
from passlib.tests import test_handlers_scrypt as ts  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import crypt  # noqa: E402  (libxcrypt)

PASSWORDS = ["password", "correct horse battery staple", "pässwörd €", "密码123", "x" * 80, ""]
out = []


def password_fields(secret):
    if isinstance(secret, bytes):
        try:
            secret = secret.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return {"password": secret}


def correct(fmt, secret, hashed, source, params=None):
    fields = password_fields(secret)
    if fields is None:
        return  # not UTF-8: the vectors carry text passwords only
    entry = {"format": fmt, **fields, "hash": hashed, "source": source}
    if params:
        entry["params"] = params
    out.append(entry)


def bad(fmt, hashed, source):
    out.append({"format": fmt, "hash": hashed, "malformed": True, "source": source})


def from_tests(fmt, cls, keep=lambda h: True, malformed=True):
    name = cls.__name__
    for secret, hashed in cls.known_correct_hashes:
        if keep(hashed):
            correct(fmt, secret, hashed, "passlib 1.7.4 tests %s.known_correct_hashes" % name)
    if malformed:
        for hashed in getattr(cls, "known_malformed_hashes", []):
            if keep(hashed):
                bad(fmt, hashed, "passlib 1.7.4 tests %s.known_malformed_hashes" % name)


def generated(fmt, handler, passwords=PASSWORDS, source=None, **settings):
    configured = handler.using(**settings) if settings else handler
    for secret in passwords:
        correct(fmt, secret, configured.hash(secret), source or "passlib 1.7.4 %s.using(%s).hash" % (handler.name, settings))


# passlib bcrypt_sha256 version 1 (and the v2 test vectors alongside).
generated("passlib-bcrypt-sha256", ph.bcrypt_sha256, version=1, rounds=4, ident="2a")
generated("passlib-bcrypt-sha256", ph.bcrypt_sha256, passwords=["password", "ünïcode"], version=1, rounds=5, ident="2b")
from_tests("passlib-bcrypt-sha256", tb._bcrypt_sha256_test)
bad("passlib-bcrypt-sha256", "$bcrypt-sha256$2a,04$5Hg1DKFqPE8C2aflZ5vVoe$12BjNE0p7axMg55.Y/mHsYiVuFBDQyu", "zero-padded cost (passlib ZeroPaddedRoundsError)")
bad("passlib-bcrypt-sha256", "$bcrypt-sha256$2y,5$5Hg1DKFqPE8C2aflZ5vVoe$12BjNE0p7axMg55.Y/mHsYiVuFBDQyu", "version 1 knows only 2a and 2b")
bad("passlib-bcrypt-sha256", "$bcrypt-sha256$2a,5$5Hg1DKFqPE8C2aflZ5vVo$12BjNE0p7axMg55.Y/mHsYiVuFBDQyu", "short salt")

# The original OpenBSD $2$ bcrypt.
generated("bcrypt", ph.bcrypt, ident="2", rounds=4)
from_tests("bcrypt", tb._bcrypt_test, keep=lambda h: h.startswith("$2$"))
bad("bcrypt", "$2$4$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "one-digit cost")
bad("bcrypt", "$2$04$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe", "short digest")

# scrypt $7$: passlib and libxcrypt.
generated("scrypt", ph.scrypt, ident="$7$", rounds=8, block_size=8, parallelism=1)
for i, secret in enumerate(["password", "pässwörd", "hunter2 hunter2"]):
    salt = ["$7$C6..../....SodiumChloride", "$7$A6..../....abcdefgh", "$7$96..../....x"][i]
    hashed = crypt.crypt(secret, salt)
    assert hashed.startswith("$7$"), "libxcrypt refused the setting %s" % salt
    correct("scrypt", secret, hashed, "libxcrypt crypt(3) via python3 crypt")
from_tests("scrypt", ts._scrypt_test, keep=lambda h: h.startswith("$7$"))
bad("scrypt", "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8", "key one character short")
bad("scrypt", "$7$C6..../...SodiumChloride", "no key")
bad("scrypt", "$7$C6..../....Sodium Chlorid\u00e9$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D", "a salt with a space and a non-ASCII character")

# Django's hashers.
generated("django-des-crypt", ph.django_des_crypt, passwords=["password", "test", "pässwörd", "x", ""])
correct("django-des-crypt", "test", "crypt$$MEJB9XoXpv3IQ", "Django 1.4 CryptPasswordHasher form (empty salt field), checked by passlib django_des_crypt")
from_tests("django-des-crypt", td.django_des_crypt_test)
bad("django-des-crypt", "crypt$ab$MEJB9XoXpv3IQ", "salt field differs from the crypt's salt (passlib refuses)")
bad("django-des-crypt", "crypt$$MEJB9XoXpv3I", "short crypt")
for fmt, cls, handler in [
    ("django-legacy", td.django_salted_md5_test, ph.django_salted_md5),
    ("django-legacy", td.django_salted_sha1_test, ph.django_salted_sha1),
    ("django-pbkdf2", td.django_pbkdf2_sha1_test, ph.django_pbkdf2_sha1),
    ("django-pbkdf2", td.django_pbkdf2_sha256_test, ph.django_pbkdf2_sha256),
    ("prefixed", td.django_bcrypt_test, ph.django_bcrypt),
    ("django-bcrypt-sha256", td.django_bcrypt_sha256_test, ph.django_bcrypt_sha256),
]:
    settings = {"rounds": 1000} if "pbkdf2" in handler.name else {"rounds": 4} if "bcrypt" in handler.name else {}
    generated(fmt, handler, passwords=["password", "pässwörd €", "x"], **settings)
    from_tests(fmt, cls)
from_tests("prefixed", td.django_argon2_test)

# GRUB, cta and dlitz $p5k2$.
generated("grub-pbkdf2-sha512", ph.grub_pbkdf2_sha512, rounds=1000, salt_size=16)
from_tests("grub-pbkdf2-sha512", tp.grub_pbkdf2_sha512_test)
bad("grub-pbkdf2-sha512", "grub.pbkdf2.sha512.01000.8F11C2F85F6BEDFDFF7F0F8190F2FEDF.DC92C038A76D61B18DF5C2432582A9C81392D9C4E99FC8B54C227371447D68863CC21166D1904970ACCEE2062D12B593787E55738EF9ADF05C9C3C289F41E92B", "zero-padded iterations")
bad("grub-pbkdf2-sha512", "grub.pbkdf2.sha512.1000.8F11C2F85F6BEDFDFF7F0F8190F2FED.DC92C038A76D61B18DF5C2432582A9C81392D9C4E99FC8B54C227371447D68863CC21166D1904970ACCEE2062D12B593787E55738EF9ADF05C9C3C289F41E92B", "odd-length hex salt")
bad("grub-pbkdf2-sha512", "grub.pbkdf2.sha512.1000.8F11C2F85F6BEDFDFF7F0F8190F2FEDF.DC92C038A76D61B18DF5C2432582A9C81392D9C4E99FC8B54C227371447D68863CC21166D1904970ACCEE2062D12B593787E55738EF9ADF05C9C3C289F41E9", "short key")
generated("cta-pbkdf2-sha1", ph.cta_pbkdf2_sha1, rounds=1000)
from_tests("cta-pbkdf2-sha1", tp.cta_pbkdf2_sha1_test)
generated("dlitz-pbkdf2-sha1", ph.dlitz_pbkdf2_sha1, rounds=1000)
generated("dlitz-pbkdf2-sha1", ph.dlitz_pbkdf2_sha1, passwords=["password", "pässwörd"], rounds=400)
from_tests("dlitz-pbkdf2-sha1", tp.dlitz_pbkdf2_sha1_test)
bad("dlitz-pbkdf2-sha1", "$p5k2$03e8$deQX2Pwb$RDhZOLw2HSFF2xkfVhuBoW34FiIUeD78", "zero-padded iterations")
bad("dlitz-pbkdf2-sha1", "$p5k2$$deQX2Pwb$RDhZOLw2HSFF2xkfVhuBoW34FiIUeD7", "short key")

# FSHP.
for variant in range(4):
    generated("fshp", ph.fshp, passwords=["password", "pässwörd €", ""], rounds=4096, salt_size=8, variant=variant)
from_tests("fshp", th.fshp_test)
bad("fshp", "{FSHP4|8|4096}6D3HeC+l9J5Tp2fcbxFYQa47RIwmqBQK8RrUCWn8rlfInQukFCG8Rw==", "unknown variant")
bad("fshp", "{FSHP1|8|4096}6D3HeC+l9J5Tp2fcbxFYQa47RIwmqBQK8RrUCWn8rlfInQukFCG8R", "bad base64 padding")
bad("fshp", "{FSHP1|9|4096}6D3HeC+l9J5Tp2fcbxFYQa47RIwmqBQK8RrUCWn8rlfInQukFCG8Rw==", "salt size leaves a short digest")

# Plaintext (named only).
for secret in ["password", "pässwörd €", "密码 with spaces"]:
    correct("plaintext", secret, ph.plaintext.hash(secret), "passlib 1.7.4 plaintext.hash")
from_tests("plaintext", th.plaintext_test, keep=lambda h: h != "")
from_tests("plaintext", th.ldap_plaintext_test, keep=lambda h: h != "")
bad("plaintext", "", "an empty stored value never matches")

# passlib's $scram$.
generated("passlib-scram", ph.scram, rounds=1000)
generated("passlib-scram", ph.scram, passwords=["password", "I\u00adX", "\u2168"], rounds=500, algs="sha-1")
generated("passlib-scram", ph.scram, passwords=["password"], rounds=500, algs="sha-1,sha-512")
from_tests("passlib-scram", tp.scram_test)
bad("passlib-scram", "$scram$1000$ECIEgHDOuTcmpJTy$sha-256=.qguuQAp6KSyTo1mgOuGkAp9uz5xCI8AQXhzUYpGEcA", "no sha-1 digest")
bad("passlib-scram", "$scram$01000$ECIEgHDOuTcmpJTy$sha-1=SYTcOoUF3PAJyck2A9TdNNY5MZI", "zero-padded rounds")
bad("passlib-scram", "$scram$1000$ECIEgHDOuTcmpJTy$sha-1=SYTcOoUF3PAJyck2A9TdNNY5MZ", "short sha-1 key")

json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")
