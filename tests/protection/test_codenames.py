"""Codenames a frightened person can keep (issue 16, item 4): one curated list per language, a
reviewed deny-list applied by code, the language chosen on the form, any codename accepted
anywhere, the reply language always shown to the unit."""

import re
import unicodedata

import pytest

from sanspeur.protection import crypto
from sanspeur.protection.models import Case

from .conftest import codename_from, followup, submit, unlock

LANGUAGES = ("fr", "en", "es", "ar", "ht")
# Words the issue found in the raw BIP-39 lists, and a few per category and language.
MUST_GO = {
    "en": ["police", "prison", "arrest", "gun", "knife", "blood", "kiss", "disease", "dumb", "border", "visa"],
    "fr": ["pénétrer", "frayeur", "policier", "prison", "gendarme", "douanier", "virus", "maudire", "citoyen"],
    "es": ["matar", "policía", "prisión", "muerte", "sexo", "cárcel", "tonto", "aduana", "droga"],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_codenames_use_only_their_curated_list(language):
    words = set(crypto.wordlist(language))
    for _ in range(50):
        codename = crypto.codename_generate(language)
        assert len(codename.split(" ")) == crypto.codename_length(language)
        assert set(codename.split(" ")) <= words
    assert not any(crypto.word_denied(word) for word in words)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_keeps_at_least_the_old_entropy(language):
    assert crypto.codename_entropy(language) >= crypto.CODENAME_BITS == 88
    normal = [crypto.codename_normalise(word) for word in crypto.wordlist(language)]
    assert len(set(normal)) == len(normal)  # no two words a person could type the same way


def test_arabic_list_is_arabic_script_and_creole_list_is_not_french():
    assert all(re.fullmatch(r"[\u0621-\u064a]+", word) for word in crypto.wordlist("ar"))
    french = {crypto.codename_normalise(word) for word in crypto.wordlist("fr")}
    creole = {crypto.codename_normalise(word) for word in crypto.wordlist("ht")}
    assert len(creole & french) < len(creole) // 10


def test_the_denylist_removes_every_listed_word():
    words, prefixes = crypto.denylist()
    assert len(words) > 400
    for language in LANGUAGES:
        kept = {crypto.codename_normalise(word) for word in crypto.wordlist(language)}
        assert not kept & words
        assert not [word for word in kept if word.startswith(prefixes)]
    for language, examples in MUST_GO.items():
        source = crypto.wordlist_source(language)
        for word in examples:
            assert word in source, word  # the example really was in the shipped list...
            assert word not in crypto.wordlist(language), word  # ...and the code removed it
    for word in ("شرطة", "سجن", "سكين", "lapolis", "prizon", "bourik"):
        assert crypto.word_denied(word)


def test_the_denylist_spares_ordinary_words():
    for word in ("dance", "danza", "violin", "violon", "deer", "apple", "ciruela", "pomme", "زيتون", "mango"):
        assert not crypto.word_denied(word), word


def test_arabic_letter_forms_and_latin_accents_normalise():
    assert crypto.codename_normalise("أمل إبرة آخر ٱسم") == crypto.codename_normalise("امل ابرة اخر اسم")
    assert crypto.codename_normalise("مكتبة حلوى") == crypto.codename_normalise("مكتبه حلوي")
    assert crypto.codename_normalise("سـلام، قمر") == crypto.codename_normalise("سلام قمر")
    assert crypto.codename_normalise("مَكْتَبَةٌ") == crypto.codename_normalise("مكتبة")
    assert crypto.codename_normalise("  Kreyòl  AYISYEN ") == "kreyol ayisyen"


def _arabic_variant(codename: str) -> str:
    """The same words as a person might type them: other alef, yeh and taa marbuta forms."""
    return codename.replace("ا", "أ").replace("ي", "ى").replace("ة", "ه").replace(" ", "، ", 1)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_followup_works_with_a_codename_in_each_language(client, unit_key, language):
    response = submit(client, lang="fr", codename_language=language)
    codename = codename_from(response)
    assert set(codename.split(" ")) <= set(crypto.wordlist(language))
    html = response.content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<p class="codename" id="codename" lang="{language}" dir="{direction}"><bdi>{codename}</bdi></p>' in html
    typed = _arabic_variant(codename) if language == "ar" else unicodedata.normalize("NFD", codename.upper())
    for page_language in ("en", "ar" if language != "ar" else "ht"):
        page = followup(client, {"codename": typed, "action": "open"}, lang=page_language)
        assert page.status_code == 200 and '<input type="hidden" name="codename"' in page.content.decode()
    assert Case.objects.get().codename_lookup == crypto.codename_lookup(typed)


@pytest.mark.django_db
def test_codename_language_defaults_to_the_page_language(client, unit_key):
    form = client.get("/ar/protection/report/").content.decode()
    assert re.search(r'<option value="ar"[^>]*selected', form)
    codename = codename_from(submit(client, lang="ar"))
    assert set(codename.split(" ")) <= set(crypto.wordlist("ar"))
    codename = codename_from(submit(client, lang="ht"))
    assert set(codename.split(" ")) <= set(crypto.wordlist("ht"))


@pytest.mark.django_db
def test_caseworker_sees_the_reply_language_even_without_contact(client, mfa_client, unit_key, caseworker):
    submit(client, lang="fr", contact="none", contact_language="ht")
    case = Case.objects.get()
    cw = mfa_client(caseworker)
    unlock(cw)
    page = cw.get(f"/en/protection/cases/{case.reference}/").content.decode()
    assert re.search(r'<dd id="reply-language"><span lang="ht">Kreyòl ayisyen</span>', page)


def test_log_scrubber_knows_every_language():
    for language in LANGUAGES:
        codename = crypto.codename_generate(language)
        assert codename not in crypto.scrub_codenames(f"error for {codename} here")
