import importlib

import pytest

from sanspeur.clinics import codes, rules


def test_codes_are_9_crockford_characters_with_a_working_check():
    seen = {codes.generate() for _ in range(500)}
    assert len(seen) == 500
    for code in list(seen)[:50]:
        assert len(code) == 9 and codes.normalise(code) == code
        shown = codes.display(code)
        assert codes.normalise(shown.lower()) == code  # case and hyphens ignored
        assert codes.normalise(" ".join(shown)) == code  # spaces too
        # A single changed character is caught by the check character.
        wrong = ("1" if code[0] != "1" else "2") + code[1:]
        assert codes.normalise(wrong) is None


def test_code_typing_is_forgiving_for_look_alikes():
    check = codes._check_char("00000001")
    assert codes.normalise("OOOOOOOL" + check) == "00000001" + check
    assert codes.normalise("short") is None
    assert codes.normalise("") is None


@pytest.fixture
def desk_rules(db):
    """The document types and thresholds the migrations install (seeded again: transactional tests
    elsewhere flush migration data)."""
    from django.apps import apps

    importlib.import_module("sanspeur.cards.migrations.0002_default_document_rules").seed(apps, None)
    importlib.import_module("sanspeur.cards.migrations.0004_document_type_names").fill(apps, None)
    return rules.active_rules("en")


def test_precheck_meets_rules_with_expired_passport_birth_certificate_and_shelter_letter(desk_rules):
    result = rules.evaluate(["passport", "birth-certificate", "shelter-letter"], desk_rules)
    assert result.meets_rules
    assert (result.identity_points, result.residence_points) == (4, 1)


def test_precheck_needs_a_photo_document(desk_rules):
    result = rules.evaluate(["birth-certificate", "school-record", "medical-record", "lease"], desk_rules)
    assert result.identity_points == 3 and not result.has_photo
    assert not result.meets_rules
    messages = rules.missing_messages(result)
    assert len(messages) == 1 and "photo" in str(messages[0])


def test_precheck_needs_date_of_birth_points_and_residence(desk_rules):
    from sanspeur.cards.models import DocumentType

    DocumentType.objects.filter(code="health-card").update(shows_birth_date=False)
    result = rules.evaluate(["health-card"], rules.active_rules("en"))
    missing = " ".join(str(m) for m in rules.missing_messages(result))
    assert "date of birth" in missing and "identity" in missing and "address" in missing
    assert len(rules.evaluate([], desk_rules).missing) == 4


def test_precheck_ignores_unknown_and_duplicate_kinds(desk_rules):
    result = rules.evaluate(["passport", "passport", "made_up"], desk_rules)
    assert result.identity_points == 3


def test_thresholds_come_from_the_desk(desk_rules):
    from sanspeur.cards.models import CardRules

    CardRules.objects.update(min_identity_points=4, min_residence_points=2)
    strict = rules.active_rules("en")
    assert not rules.evaluate(["passport", "birth-certificate", "lease"], strict).meets_rules
    assert rules.evaluate(["passport", "birth-certificate", "lease", "utility-bill"], strict).meets_rules
