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


def test_precheck_meets_rules_with_expired_passport_birth_certificate_and_shelter_letter():
    result = rules.evaluate(["passport", "birth_certificate", "shelter_letter"])
    assert result.meets_rules
    assert (result.identity_points, result.residence_points) == (3, 1)


def test_precheck_needs_a_photo_document():
    result = rules.evaluate(["birth_certificate", "hospital_record", "bank_card", "lease"])
    assert result.identity_points == 3 and not result.has_photo
    assert not result.meets_rules
    assert len(result.missing) == 1 and "photo" in str(result.missing[0])


def test_precheck_needs_date_of_birth_points_and_residence():
    result = rules.evaluate(["health_card"])
    missing = " ".join(str(m) for m in result.missing)
    assert "date of birth" in missing and "identity" in missing and "address" in missing
    assert rules.evaluate([]).missing and len(rules.evaluate([]).missing) == 4


def test_precheck_ignores_unknown_and_duplicate_kinds():
    result = rules.evaluate(["passport", "passport", "made_up"])
    assert result.identity_points == 2


def test_custom_rule_set():
    strict = rules.RuleSet(identity_points=4, residence_points=2)
    assert not rules.evaluate(["passport", "birth_certificate", "lease"], strict).meets_rules
    assert rules.evaluate(["passport", "foreign_id", "lease", "bill"], strict).meets_rules
