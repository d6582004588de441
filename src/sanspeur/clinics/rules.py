"""The document pre-check: a pure function over the *kinds* of documents a person says they have.

Nothing is stored: the view passes the ticked kinds in, renders the result and forgets it. The
default rule set mirrors the card's: at least 3 identity points, among them a document with a
photo and one with the date of birth, and at least 1 proof of residence in Montréal.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: object
    identity_points: int = 0
    residence_points: int = 0
    photo: bool = False
    birth_date: bool = False


DOCUMENT_KINDS: list[DocumentKind] = [
    DocumentKind("passport", _("Passport from any country, even expired"), 2, photo=True, birth_date=True),
    DocumentKind("foreign_id", _("Identity card from any country, even expired"), 2, photo=True, birth_date=True),
    DocumentKind("driving_licence", _("Driving licence from any country"), 2, photo=True, birth_date=True),
    DocumentKind("birth_certificate", _("Birth certificate"), 1, birth_date=True),
    DocumentKind("health_card", _("Health insurance card (RAMQ) or IFHP certificate"), 1, photo=True),
    DocumentKind("photo_card", _("Student, work or transit card with photo"), 1, photo=True),
    DocumentKind("hospital_record", _("Hospital or clinic document showing your date of birth"), 1, birth_date=True),
    DocumentKind("bank_card", _("Bank card in your name"), 1),
    DocumentKind("lease", _("Lease or letter from your landlord"), residence_points=1),
    DocumentKind("bill", _("Electricity, phone or internet bill"), residence_points=1),
    DocumentKind("official_mail", _("Letter from a government, school or bank"), residence_points=1),
    DocumentKind("shelter_letter", _("Letter from a shelter or a partner organisation"), residence_points=1),
]
KINDS_BY_CODE = {kind.code: kind for kind in DOCUMENT_KINDS}


@dataclass(frozen=True)
class RuleSet:
    identity_points: int = 3
    residence_points: int = 1
    photo_required: bool = True
    birth_date_required: bool = True


DEFAULT_RULES = RuleSet()


@dataclass
class PrecheckResult:
    identity_points: int
    residence_points: int
    has_photo: bool
    has_birth_date: bool
    missing: list = field(default_factory=list)

    @property
    def meets_rules(self) -> bool:
        return not self.missing


def evaluate(codes, rules: RuleSet = DEFAULT_RULES) -> PrecheckResult:
    """Which rules the ticked document kinds meet, and what is missing (translatable sentences)."""
    kinds = [KINDS_BY_CODE[code] for code in dict.fromkeys(codes) if code in KINDS_BY_CODE]
    result = PrecheckResult(
        identity_points=sum(kind.identity_points for kind in kinds),
        residence_points=sum(kind.residence_points for kind in kinds),
        has_photo=any(kind.photo for kind in kinds),
        has_birth_date=any(kind.birth_date for kind in kinds),
    )
    if rules.photo_required and not result.has_photo:
        result.missing.append(_("a document with your photo (for example a passport, even expired)"))
    if rules.birth_date_required and not result.has_birth_date:
        result.missing.append(_("a document showing your date of birth (for example a birth certificate)"))
    if result.identity_points < rules.identity_points:
        result.missing.append(_("more identity documents: any document from the identity list adds points"))
    if result.residence_points < rules.residence_points:
        result.missing.append(
            _("a proof of address in Montréal (a letter from a shelter or a partner organisation is accepted)")
        )
    return result


def active_rules() -> RuleSet:
    """The card's rules if the cards app publishes them, else the default set."""
    try:
        from sanspeur.cards import rules as card_rules  # type: ignore[attr-defined]

        return card_rules.precheck_ruleset()
    except Exception:  # noqa: BLE001 - the cards app is optional and its rules API is not settled
        return DEFAULT_RULES
