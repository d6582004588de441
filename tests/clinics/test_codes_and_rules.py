import importlib

import pytest

from sanspeur.clinics import codes, rules


def test_codes_are_10_crockford_characters_without_symbols_and_with_a_working_check():
    seen = {codes.generate() for _ in range(500)}
    assert len(seen) == 500
    for code in list(seen)[:100]:
        assert len(code) == 10 and codes.normalise(code) == code
        assert set(code) <= set(codes.ALPHABET)  # digits and capitals only: no * $ = ~, no I L O U
        shown = codes.display(code)
        assert shown == f"{code[:3]}-{code[3:6]}-{code[6:]}"  # three groups, read like a phone number
        assert codes.normalise(shown.lower()) == code  # case and hyphens ignored
        assert codes.normalise(" ".join(shown)) == code  # spaces too
        # Every single changed character is caught by the check character.
        for position in range(len(code)):
            for other in codes.ALPHABET:
                if other != code[position]:
                    wrong = code[:position] + other + code[position + 1 :]
                    assert codes.normalise(wrong) is None, (code, wrong)
        # And so is most every swap of two neighbours.
    swaps_caught = 0
    swaps = 0
    for code in list(seen)[:100]:
        for position in range(len(code) - 1):
            if code[position] != code[position + 1]:
                swaps += 1
                swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
                swaps_caught += codes.normalise(swapped) is None
    assert swaps_caught / swaps > 0.95


def test_old_codes_ending_in_a_symbol_keep_working():
    for body in ("00000000", "870HWCKN", "ZZZZZZZZ", "ABCDEFGH", "12345678", "9QK4T7VM"):
        code = body + codes._check_char(body)
        assert codes.normalise(code) == code
        assert codes.normalise(codes.display(code).lower()) == code
        assert codes.display(code) == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    # The four symbols of the old check alphabet are all accepted where they are right.
    ends = set()
    for value in range(2000):
        body = "".join(codes.ALPHABET[(value >> (5 * i)) % 32] for i in range(8))
        ends.add(codes._check_char(body)[-1])
    assert {"*", "$", "=", "~"} <= ends


def test_code_typing_is_forgiving_for_look_alikes():
    check = codes._luhn_char("000000001")
    assert codes.normalise("OOOOOOOOL" + check) == "000000001" + check
    old = codes._check_char("00000001")
    assert codes.normalise("OOOOOOOL" + old) == "00000001" + old
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
