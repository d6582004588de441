"""Testimonies for advocacy (issue 21, item 6): consent, sealed words, two-person redaction,
destruction of the original, withdrawal with the codename, the public page and the yearly report."""

import html as html_lib
import json
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from sanspeur.core.models import AuditEntry, DataKey
from sanspeur.core.transitions import InvalidTransition
from sanspeur.impact import models as impact_models
from sanspeur.impact import redaction, selectors, services
from tests.proof import proof_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cheap_proof_of_work")]

WORDS = "Avec la carte ZEPHYRINE a pu voir un médecin sans peur. Merci à toute l'équipe."
LAST_YEAR = timezone.localdate().year - 1
MONTH = f"{LAST_YEAR}-04"


@pytest.fixture
def moderator(make_staff, city_organisation):
    return make_staff("mona.moderates", ["testimony_moderator"], city_organisation)


@pytest.fixture
def second(make_staff, city_organisation):
    return make_staff("seb.second", ["testimony_moderator"], city_organisation)


def submit(text=WORDS, language="fr"):
    return services.testimony_submit(acting_user=None, text=text, author="resident", language=language)


def published(moderator, second, text=WORDS):
    testimony = submit(text)
    services.testimony_redact(acting_user=moderator, testimony=testimony, text=text, month=MONTH)
    return services.testimony_approve(
        acting_user=second, testimony=impact_models.Testimony.objects.get(pk=testimony.pk)
    )


# --- Sealed, dated to the day, nothing else -------------------------------------------------------------------
def test_the_words_are_sealed_and_nothing_identifies_the_author():
    testimony = submit()
    assert testimony.codename
    row = impact_models.Testimony.objects.get(pk=testimony.pk)
    assert row.received_on == timezone.localdate()
    assert b"ZEPHYRINE" not in bytes(row.original)
    assert row.text is None and row.state == "received"
    assert not AuditEntry.objects.filter(action__startswith="impact.testimony").exists()  # anonymous
    names = {field.name for field in impact_models.Testimony._meta.concrete_fields}
    assert not names & {"name", "email", "phone", "address", "ip", "status", "created_at"}


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_empty_or_too_long_words_are_refused(text):
    with pytest.raises(ValidationError):
        submit(text)
    assert not impact_models.Testimony.objects.exists()


# --- Redaction and two people ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Le 12 mars, la clinique m'a reçue.",
        "On March 3 the clinic saw me.",
        "El 4 de mayo fui a la biblioteca.",
        "Rendez-vous du 2025-03-12.",
        "في ١٢ مارس ذهبت إلى العيادة",
    ],
)
def test_a_day_precise_date_refuses_the_redaction(moderator, text):
    testimony = submit()
    with pytest.raises(ValidationError):
        services.testimony_redact(acting_user=moderator, testimony=testimony, text=text, month=MONTH)
    assert impact_models.Testimony.objects.get(pk=testimony.pk).state == "received"


def test_the_month_shown_is_never_after_the_day_received(moderator):
    testimony = submit()
    future = timezone.localdate().replace(day=1).year + 1
    for month in (f"{future}-01", "2020-13", "garbage", ""):
        with pytest.raises(ValidationError):
            services.testimony_redact(acting_user=moderator, testimony=testimony, text="Merci.", month=month)


def test_the_redactor_cannot_approve_and_a_second_moderator_publishes(moderator, second):
    testimony = submit()
    services.testimony_redact(
        acting_user=moderator, testimony=testimony, text="Avec la carte, X a pu voir un médecin.", month=MONTH
    )
    testimony = impact_models.Testimony.objects.get(pk=testimony.pk)
    with pytest.raises(PermissionDenied):
        services.testimony_approve(acting_user=moderator, testimony=testimony)
    assert impact_models.Testimony.objects.get(pk=testimony.pk).state == "redacted"
    original_key = testimony.original_key_id
    services.testimony_approve(acting_user=second, testimony=testimony)
    row = impact_models.Testimony.objects.get(pk=testimony.pk)
    assert row.state == "published" and row.original is None and row.published_on == timezone.localdate()
    assert DataKey.objects.get(pk=original_key).wrapped is None  # the original words are gone for good
    assert services.testimony_text(row) == "Avec la carte, X a pu voir un médecin."
    assert [entry.action for entry in AuditEntry.objects.filter(object_id=str(row.pk)).order_by("id")] == [
        "impact.testimony.redact",
        "impact.testimony.approve",
    ]
    assert "ZEPHYRINE" not in json.dumps(list(AuditEntry.objects.values("detail")))


def test_a_moderator_who_redacts_again_becomes_the_one_a_second_must_approve(moderator, second):
    testimony = submit()
    services.testimony_redact(acting_user=moderator, testimony=testimony, text="Merci.", month=MONTH)
    services.testimony_redact(acting_user=second, testimony=testimony, text="Merci beaucoup.", month=MONTH)
    with pytest.raises(PermissionDenied):
        services.testimony_approve(acting_user=second, testimony=impact_models.Testimony.objects.get(pk=testimony.pk))
    services.testimony_approve(acting_user=moderator, testimony=impact_models.Testimony.objects.get(pk=testimony.pk))


def test_only_the_city_s_moderators_act(make_staff, city_organisation):
    testimony = submit()
    for user in (
        make_staff("stella.stats2", ["statistician"], city_organisation),
        make_staff("ada.admin2", ["administrator"], city_organisation),
    ):
        for service in (services.testimony_refuse,):
            with pytest.raises(PermissionDenied):
                service(acting_user=user, testimony=testimony)
        with pytest.raises(PermissionDenied):
            services.testimony_redact(acting_user=user, testimony=testimony, text="Merci.", month=MONTH)
    assert impact_models.Testimony.objects.get(pk=testimony.pk).state == "received"


def test_refusing_destroys_everything_kept(moderator):
    testimony = submit()
    services.testimony_redact(acting_user=moderator, testimony=testimony, text="Merci.", month=MONTH)
    row = impact_models.Testimony.objects.get(pk=testimony.pk)
    keys = [row.original_key_id, row.text_key_id]
    services.testimony_refuse(acting_user=moderator, testimony=row)
    row = impact_models.Testimony.objects.get(pk=testimony.pk)
    assert row.state == "refused" and row.original is None and row.text is None
    assert list(DataKey.objects.filter(pk__in=keys).values_list("wrapped", flat=True)) == [None, None]
    with pytest.raises(InvalidTransition):
        services.testimony_redact(acting_user=moderator, testimony=row, text="Merci.", month=MONTH)


def test_testimonies_nobody_handles_are_destroyed_after_ninety_days():
    old, fresh = submit(), submit("Merci encore.")
    impact_models.Testimony.objects.filter(pk=old.pk).update(
        received_on=timezone.localdate() - timezone.timedelta(days=91)
    )
    assert services.testimonies_expire(acting_user=None) == 1
    assert impact_models.Testimony.objects.get(pk=old.pk).state == "refused"
    assert impact_models.Testimony.objects.get(pk=old.pk).original is None
    assert impact_models.Testimony.objects.get(pk=fresh.pk).state == "received"


def test_the_expiry_is_the_job_s_not_staff_s(moderator):
    with pytest.raises(PermissionDenied):
        services.testimonies_expire(acting_user=moderator)


def test_the_redaction_helper_points_at_names_places_and_numbers():
    found = redaction.suspects("Hier, Marie m'a accompagnée rue Ontario à Verdun. Appelez le 514-555-0101.")
    assert {"Marie", "Verdun", "514-555-0101"} <= set(found)
    assert "Hier" not in found  # the first word of a sentence
    assert redaction.day_dates("En mars 2025 tout a changé.") == []


# --- Public pages ---------------------------------------------------------------------------------------------
def test_sharing_needs_consent_and_gives_a_codename_once(client):
    with translation.override("fr"):
        url = reverse("impact:testimony_share")
    page = client.get(url).content.decode()
    refused = client.post(url, {"text": WORDS, "author": "resident", **proof_for(client, page)})
    assert refused.status_code == 400
    assert "cochez la case" in refused.content.decode()  # the consent error, in the page's language
    assert not impact_models.Testimony.objects.exists()
    page = client.get(url).content.decode()
    sent = client.post(url, {"text": WORDS, "author": "resident", "consent": "on", **proof_for(client, page)})
    assert sent.status_code == 200
    codename = re.search(r'id="codename"[^>]*><bdi>([^<]+)</bdi>', sent.content.decode()).group(1)
    assert impact_models.Testimony.objects.count() == 1 and impact_models.Testimony.objects.get().language == "fr"
    assert not sent.cookies
    followed = client.post(reverse("impact:testimony_follow"), {"codename": html_lib.unescape(codename)})
    assert 'id="testimony-state"' in followed.content.decode()


def test_sharing_without_the_proof_saves_nothing(client):
    response = client.post(reverse("impact:testimony_share"), {"text": WORDS, "author": "resident", "consent": "on"})
    assert response.status_code == 400
    assert not impact_models.Testimony.objects.exists()


def test_the_author_withdraws_with_the_codename_and_the_text_comes_off_the_site(client, moderator, second):
    testimony = submit("Merci pour la carte, elle a changé ma vie.")
    codename = testimony.codename
    services.testimony_redact(acting_user=moderator, testimony=testimony, text="Merci pour la carte.", month=MONTH)
    services.testimony_approve(acting_user=second, testimony=impact_models.Testimony.objects.get(pk=testimony.pk))
    public = client.get(reverse("impact:testimonies")).content.decode()
    assert "Merci pour la carte." in public
    url = reverse("impact:testimony_follow")
    shown = client.post(url, {"codename": codename}).content.decode()
    assert 'id="withdraw"' in shown and impact_models.Testimony.objects.get(pk=testimony.pk).state == "published"
    done = client.post(url, {"codename": codename, "withdraw": "on"})
    row = impact_models.Testimony.objects.get(pk=testimony.pk)
    assert done.status_code == 200 and row.state == "withdrawn" and row.text is None
    assert DataKey.objects.get(pk=row.text_key_id).wrapped is None
    assert "Merci pour la carte." not in client.get(reverse("impact:testimonies")).content.decode()


def test_a_wrong_codename_withdraws_nothing(client, moderator, second):
    testimony = published(moderator, second)
    response = client.post(reverse("impact:testimony_follow"), {"codename": "wrong words here", "withdraw": "on"})
    assert response.status_code == 400
    assert impact_models.Testimony.objects.get(pk=testimony.pk).state == "published"


@pytest.mark.parametrize("language", ["fr", "ar", "ht"])
def test_the_public_page_marks_each_testimony_with_its_language(client, moderator, second, language):
    published(moderator, second, text="Merci pour la carte.")
    testimony = submit("شكرا على البطاقة", language="ar")
    services.testimony_redact(acting_user=moderator, testimony=testimony, text="شكرا على البطاقة", month=MONTH)
    services.testimony_approve(acting_user=second, testimony=impact_models.Testimony.objects.get(pk=testimony.pk))
    page = client.get(f"/{language}/impact/testimonies/").content.decode()
    assert '<blockquote lang="ar" dir="rtl">' in page and '<blockquote lang="fr" dir="ltr">' in page
    # The month in words, never as digits nor with a day ("-04" alone could sit in a random id).
    assert f"{LAST_YEAR}" in page and not re.search(rf"{LAST_YEAR}-\d\d", page)


# --- Moderators' pages ----------------------------------------------------------------------------------------
def test_opening_a_testimony_is_audited_without_its_words(mfa_client, moderator):
    testimony = submit()
    client = mfa_client(moderator)
    page = client.get(reverse("impact:testimony_detail", args=[testimony.pk])).content.decode()
    assert "ZEPHYRINE" in page and "ZEPHYRINE" in page[page.index('id="suspects"') :]
    entry = AuditEntry.objects.get(action="impact.testimony.view")
    assert entry.object_id == str(testimony.pk) and "ZEPHYRINE" not in json.dumps(entry.detail)


def test_refusing_from_the_page_asks_for_confirmation_first(mfa_client, moderator):
    testimony = submit()
    client = mfa_client(moderator)
    url = reverse("impact:testimony_action", args=[testimony.pk, "refuse"])
    first = client.post(url)
    assert first.status_code == 302 and "confirm=refuse" in first["Location"]
    assert impact_models.Testimony.objects.get(pk=testimony.pk).state == "received"
    page = client.get(first["Location"]).content.decode()
    assert 'id="refuse-consequence"' in page
    client.post(url, {"confirm": "yes"})
    assert impact_models.Testimony.objects.get(pk=testimony.pk).state == "refused"


def test_a_day_in_the_redacted_text_is_shown_as_an_error_and_saves_nothing(mfa_client, moderator):
    testimony = submit()
    client = mfa_client(moderator)
    with translation.override("fr"):
        url = reverse("impact:testimony_action", args=[testimony.pk, "redact"])
    response = client.post(url, {"text": "Le 12 mars j'ai eu ma carte.", "month": MONTH})
    assert response.status_code == 400 and "daté au mois au plus" in response.content.decode()
    assert impact_models.Testimony.objects.get(pk=testimony.pk).state == "received"


def test_other_staff_cannot_open_the_moderators_pages(mfa_client, make_staff, city_organisation):
    testimony = submit()
    client = mfa_client(make_staff("stella.stats3", ["statistician"], city_organisation))
    assert client.get(reverse("impact:testimony_list")).status_code == 403
    assert client.get(reverse("impact:testimony_detail", args=[testimony.pk])).status_code == 403
    assert not AuditEntry.objects.filter(action="impact.testimony.view").exists()


# --- The yearly report ----------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_yearly_report_carries_the_year_s_published_testimonies(moderator, second):
    from sanspeur.impact import report

    published(moderator, second, text="Depuis la carte, je vais à la bibliothèque sans peur.")
    waiting = submit("Un texte encore en attente de modération.")
    assert selectors.published_testimonies(year=LAST_YEAR)
    pdf = report.report_pdf(LAST_YEAR, language="fr")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Témoignages" in text and "bibliothèque sans peur" in text
    assert "en attente" not in text and waiting.state == "received"
