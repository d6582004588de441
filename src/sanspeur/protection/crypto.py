"""Keys of the protection unit: unit key pair, codenames, reporter keys.

- Unit key: X25519 pair. The private key is stored only inside a SecretBox whose key is derived
  from the unit passphrase with Argon2id (libsodium ``pwhash``).
- Content: ``SealedBox(unit public key)``, then sealed again with the case's vault data key
  (crypto-shredding).
- Codename: words drawn with ``secrets`` from the curated list of the language the person chose
  (fr, en, es, ar in Arabic script, ht), as many as it takes for ``CODENAME_BITS`` (9 or 10;
  figures in docs/protection.md). The lists are cleaned by code of every word of the reviewed
  deny-list ``data/codename-denylist.txt``. Any codename opens its case whatever the page's
  language: the look-up uses only the normalised words. Stored as a keyed
  look-up id (HMAC with the key provider's index key) and a scrypt output; the second half of the
  same scrypt output seeds the reporter's X25519 key pair: the unit encrypts replies to its public
  key, only the codename re-derives the private key.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from functools import lru_cache
from pathlib import Path

import nacl.pwhash
import nacl.secret
import nacl.utils
from django.conf import settings
from django.utils import translation
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from sanspeur.core import vault
from sanspeur.core.keys import key_provider

DATA_DIR = Path(__file__).resolve().parent / "data"
# One list per public language. fr, en, es: the BIP-39 lists (MIT); ar, ht: hand-written lists of
# common everyday words (data/README.md). Every list is cleaned by the deny-list when loaded.
WORDLIST_FILES = {
    "fr": "words-fr.txt",
    "en": "words-en.txt",
    "es": "words-es.txt",
    "ar": "words-ar.txt",
    "ht": "words-ht.txt",
}
CODENAME_LANGUAGES = tuple(WORDLIST_FILES)
# Names shown on the report form, each in its own language and script (not translated).
CODENAME_LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "es": "Español",
    "ar": "العربية",
    "ht": "Kreyòl ayisyen",
}
RTL_LANGUAGES = frozenset({"ar"})
CODENAME_BITS = 88  # what 8 words of a 2048-word list gave before the lists were cleaned
MIN_WORD_LETTERS = 3  # shorter words are easy to mishear and common in ordinary sentences
MIN_WORDLIST = 512  # below this a codename would need more than 10 words
DENYLIST_FILE = "codename-denylist.txt"


class WrongPassphrase(Exception):
    pass


@lru_cache
def denylist() -> tuple[frozenset[str], tuple[str, ...]]:
    """(whole words, prefixes) of the reviewed deny-list, normalised like codenames."""
    words, prefixes = set(), []
    for line in (DATA_DIR / DENYLIST_FILE).read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.endswith("*"):
            prefixes.append(codename_normalise(entry[:-1]))
        else:
            words.add(codename_normalise(entry))
    return frozenset(words), tuple(prefixes)


def word_denied(word: str) -> bool:
    words, prefixes = denylist()
    normal = codename_normalise(word)
    return normal in words or normal.startswith(prefixes)


def wordlist_source(language: str) -> tuple[str, ...]:
    """The list as shipped, before cleaning."""
    text = (DATA_DIR / WORDLIST_FILES[language]).read_text(encoding="utf-8")
    return tuple(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache
def wordlist(language: str) -> tuple[str, ...]:
    """The curated list: denied words, short words and spellings that normalise alike removed."""
    seen: set[str] = set()
    words = []
    for word in wordlist_source(language if language in WORDLIST_FILES else "fr"):
        normal = codename_normalise(word)
        if word_denied(word) or len(normal) < MIN_WORD_LETTERS or " " in normal or normal in seen:
            continue
        seen.add(normal)
        words.append(word)
    assert len(words) >= MIN_WORDLIST, (language, len(words))
    return tuple(words)


def codename_length(language: str) -> int:
    """Words in a codename of ``language``: enough for ``CODENAME_BITS``."""
    return math.ceil(CODENAME_BITS / math.log2(len(wordlist(language))))


def codename_entropy(language: str) -> float:
    return codename_length(language) * math.log2(len(wordlist(language)))


def codename_language(language: str | None) -> str:
    """The list for ``language``; the page's language, or French, when it is not one of ours."""
    language = language or translation.get_language() or "fr"
    return language if language in WORDLIST_FILES else "fr"


def codename_generate(language: str | None = None) -> str:
    language = codename_language(language)
    words = wordlist(language)
    return " ".join(secrets.choice(words) for _ in range(codename_length(language)))


# A run of this many words of the lists, written anywhere in a log line, is taken for a codename
# and blanked (scrub_codenames). Ordinary sentences rarely have five list words in a row; the
# codename itself has eight.
CODENAME_RUN = 5
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache
def _codename_words() -> frozenset[str]:
    return frozenset(codename_normalise(word) for language in CODENAME_LANGUAGES for word in wordlist(language))


def scrub_codenames(text: str) -> str:
    """``text`` with every run of ``CODENAME_RUN`` or more list words (separated by spaces or
    hyphens) blanked: the log filter (core/privacy.py) calls it on every line."""
    words = _codename_words()
    pieces, last, run = [], 0, []
    for match in [*_WORD.finditer(text), None]:
        joined = match is not None and run and set(text[run[-1].end() : match.start()]) <= {" ", "-"}
        if match is not None and codename_normalise(match.group()) in words and (not run or joined):
            run.append(match)
            continue
        if len(run) >= CODENAME_RUN:
            pieces += [text[last : run[0].start()], "…"]
            last = run[-1].end()
        run = [match] if match is not None and codename_normalise(match.group()) in words else []
    pieces.append(text[last:])
    return "".join(pieces)


# Arabic letters people type in several forms: alef with hamza or madda and alef wasla → alef,
# alef maksura and Persian yeh → yeh, taa marbuta → heh, Persian kaf → kaf; tatweel dropped, the
# Arabic comma read as a space. (Hamza above or below and short vowels are combining marks, which
# normalise_for_index already removes.)
_ARABIC_FORMS = str.maketrans(
    {
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u06cc": "\u064a",
        "\u0629": "\u0647",
        "\u06a9": "\u0643",
        "\u0640": None,
        "\u060c": " ",
    }
)


def codename_normalise(codename: str) -> str:
    """Case, accents, hyphens, spaces and Arabic letter forms: what the look-up and scrypt see.
    Latin text normalises exactly as before (codenames already given keep working)."""
    return vault.normalise_for_index((codename or "").translate(_ARABIC_FORMS))


def codename_lookup(codename: str, purpose: str = "protection.codename") -> str:
    """The keyed look-up id of a codename; ``purpose`` keeps each use's ids apart (a refusal
    report's codename is looked up under its own purpose)."""
    return key_provider().blind_index(purpose, codename_normalise(codename))


def _scrypt_n() -> int:
    return settings.SANSPEUR_PROTECTION_SCRYPT_N


def codename_stretch(codename: str, salt: bytes) -> tuple[bytes, bytes]:
    """(verifier, reporter key seed) from one slow scrypt."""
    out = hashlib.scrypt(
        codename_normalise(codename).encode(), salt=salt, n=_scrypt_n(), r=8, p=1, dklen=64, maxmem=64 * 1024 * 1024
    )
    return out[:32], out[32:]


def codename_material(codename: str) -> dict:
    salt = secrets.token_bytes(16)
    verifier, seed = codename_stretch(codename, salt)
    return {
        "codename_lookup": codename_lookup(codename),
        "codename_salt": salt,
        "codename_verifier": verifier,
        "reporter_public_key": bytes(PrivateKey(seed).public_key),
    }


def codename_check(codename: str, salt: bytes | None, verifier: bytes | None) -> PrivateKey | None:
    """The reporter's private key if the codename matches; a dummy scrypt otherwise (same timing)."""
    if salt is None or verifier is None:
        codename_stretch(codename, b"\0" * 16)
        return None
    candidate, seed = codename_stretch(codename, bytes(salt))
    if not hmac.compare_digest(candidate, bytes(verifier)):
        return None
    return PrivateKey(seed)


# --- Unit key -----------------------------------------------------------------------------------
def kdf_limits() -> tuple[int, int]:
    return (
        settings.SANSPEUR_PROTECTION_KDF_OPSLIMIT,
        settings.SANSPEUR_PROTECTION_KDF_MEMLIMIT,
    )


def passphrase_key(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode(), bytes(salt), opslimit=opslimit, memlimit=memlimit
    )


def unit_keypair_new(passphrase: str) -> dict:
    opslimit, memlimit = kdf_limits()
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    private = PrivateKey.generate()
    box = nacl.secret.SecretBox(passphrase_key(passphrase, salt, opslimit, memlimit))
    return {
        "public_key": bytes(private.public_key),
        "encrypted_private_key": bytes(box.encrypt(bytes(private))),
        "salt": salt,
        "opslimit": opslimit,
        "memlimit": memlimit,
    }


def unit_private_key_open(unit_key, passphrase: str) -> bytes:
    key = passphrase_key(passphrase, unit_key.salt, unit_key.opslimit, unit_key.memlimit)
    try:
        return nacl.secret.SecretBox(key).decrypt(bytes(unit_key.encrypted_private_key))
    except CryptoError as error:
        raise WrongPassphrase from error


# --- Content ------------------------------------------------------------------------------------
def seal_for_unit(case, plaintext: bytes, *, context: str) -> bytes:
    inner = SealedBox(PublicKey(bytes(case.unit_key.public_key))).encrypt(plaintext)
    return vault.seal_bytes(case.data_key, inner, context=f"protection:{case.reference}:{context}")


def open_for_unit(case, blob, private_key: bytes, *, context: str) -> bytes:
    inner = vault.open_bytes(case.data_key, blob, context=f"protection:{case.reference}:{context}")
    return SealedBox(PrivateKey(private_key)).decrypt(inner)


def seal_for_reporter(case, plaintext: bytes, *, context: str) -> bytes:
    inner = SealedBox(PublicKey(bytes(case.reporter_public_key))).encrypt(plaintext)
    return vault.seal_bytes(case.data_key, inner, context=f"protection:{case.reference}:{context}")


def open_for_reporter(case, blob, reporter_key: PrivateKey, *, context: str) -> bytes:
    inner = vault.open_bytes(case.data_key, blob, context=f"protection:{case.reference}:{context}")
    return SealedBox(reporter_key).decrypt(inner)
