"""Enrollment, holder pages, PDF, rules: bad input, duplicates, organisation scoping, audit."""

import base64
import io
import struct
import subprocess
import zlib

import pytest
from PIL import Image

from sanspeur.cards.faces import face_jpeg
from sanspeur.cards.models import Card, DocumentCheck, Holder
from sanspeur.core.models import AuditEntry, DataKey

from .conftest import PROFILE, jpeg_bytes

pytestmark = pytest.mark.django_db

ENROLL = "/fr/cards/enroll/"


def form_data(documents, **changes):
    data = {
        **{k: v for k, v in PROFILE.items() if k != "print_gender"},
        "submission_token": "tok-" + str(changes.pop("token", "1")),
        "document_types": [d.pk for d in documents],
        "photo_data": "data:image/jpeg;base64," + base64.b64encode(face_jpeg(5)).decode(),
    }
    data.update(changes)
    # The date of birth is three boxes (core/widgets.py): day, month, year.
    born = data.pop("date_of_birth", None)
    if isinstance(born, str):
        year, month, day = (born.split("-") + ["", "", ""])[:3]
        born = (day, month, year)
    if born is not None:
        data.update(dict(zip(("date_of_birth_day", "date_of_birth_month", "date_of_birth_year"), born, strict=True)))
    return {k: v for k, v in data.items() if v is not None}


def counts():
    return Holder.objects.count(), Card.objects.count(), DataKey.objects.count(), DocumentCheck.objects.count()


def test_enroll_page_and_successful_enrollment(mfa_client, agent, documents):
    client = mfa_client(agent)
    page = client.get(ENROLL)
    assert page.status_code == 200
    assert b"camera.js" in page.content and b'name="photo_data"' in page.content
    response = client.post(ENROLL, form_data(documents))
    holder = Holder.objects.get()
    assert response.status_code == 302 and str(holder.pk) in response["Location"]
    assert holder.organisation == agent.organisation
    check = DocumentCheck.objects.get(holder=holder)  # the points reached, never the types (issue 14)
    assert (check.identity_points, check.residence_points) == (4, 1)
    assert check.checked_by == agent
    assert AuditEntry.objects.filter(action="cards.holder.enroll", object_id=str(holder.pk), actor=agent).exists()
    detail = client.get(response["Location"])
    assert "Quasimodo-Lavoie" in detail.content.decode()
    assert AuditEntry.objects.filter(action="cards.holder.view", object_id=str(holder.pk)).exists()


def test_double_submit_creates_one_holder(mfa_client, agent, documents):
    client = mfa_client(agent)
    first = client.post(ENROLL, form_data(documents, token="same"))
    second = client.post(ENROLL, form_data(documents, token="same"))
    assert Holder.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_duplicate_person_warns_with_number_and_state_only(mfa_client, agent, documents, enrolled):
    """In one's own organisation; another organisation's agent learns only that a card exists
    (tests/cards/test_lookups.py)."""
    _holder, card = enrolled
    client = mfa_client(agent)
    response = client.post(ENROLL, form_data(documents, token="dup"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Une carte existe peut-être déjà" in text
    assert card.display_number in text
    assert Holder.objects.count() == 1
    # The photo stays in the form; confirming creates the new record.
    data = form_data(documents, token="dup", photo_data=None)
    data["photo_data"] = response.context["form"]["photo_data"].value()
    data.update({"duplicate_seen": "1", "confirm_duplicate": "on"})
    confirmed = client.post(ENROLL, data)
    assert confirmed.status_code == 302
    assert Holder.objects.count() == 2


BAD_INPUT = [
    ({"date_of_birth": "2999-01-01"}, "date_of_birth", "ne peut pas être dans le futur"),
    ({"date_of_birth": "1890-01-01"}, "date_of_birth", "120 ans"),
    ({"date_of_birth": ("30", "2", "2001")}, "date_of_birth", "n’existe pas"),
    ({"date_of_birth": ("14", "", "1987")}, "date_of_birth", "le jour, le mois et l’année"),
    ({"date_of_birth": ("", "", "")}, "date_of_birth", "Indiquez la date de naissance"),
    ({"date_of_birth": ("1x", "3", "1987")}, "date_of_birth", "en chiffres"),
    ({"date_of_birth": ("14", "3", "87")}, "date_of_birth", "quatre chiffres"),
    ({"date_of_birth": ("14", "13", "1987")}, "date_of_birth", "n’existe pas"),
    ({"postal_code": "K1A 0B1"}, "postal_code", "code postal de Montréal"),
    ({"postal_code": "H2X1Y"}, "postal_code", "code postal de Montréal"),
    ({"borough": "Laval"}, "borough", "19 arrondissements"),
    ({"given_names": ""}, "given_names", ""),
    ({"phone": "12"}, "phone", "10 chiffres"),
    ({"email": "not-an-email"}, "email", ""),
    ({"document_types": []}, "document_types", "Cochez"),
    ({"photo_data": ""}, "photo_upload", "Prenez une photo"),
    ({"photo_data": "data:image/jpeg;base64,bm90IGFuIGltYWdl"}, "photo_upload", "pas une photo"),
    ({"photo_data": "garbage"}, "photo_upload", "n’a pas pu être lue"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_gets_a_translated_message_and_nothing_saved(mfa_client, agent, documents, changes, field, message):
    client = mfa_client(agent)
    before = counts()
    response = client.post(ENROLL, form_data(documents, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert counts() == before


def test_document_rules_are_enforced(mfa_client, agent, documents):
    from sanspeur.cards.models import DocumentType

    client = mfa_client(agent)
    only_letter = list(DocumentType.objects.filter(code__in=["shelter-letter", "birth-certificate"]))
    response = client.post(ENROLL, form_data(only_letter))
    text = " ".join(response.context["form"].errors["document_types"])
    assert "points" in text and "photo" in text
    no_residence = list(DocumentType.objects.filter(code__in=["passport"]))
    response = client.post(ENROLL, form_data(no_residence))
    assert "résidence" in " ".join(response.context["form"].errors["document_types"])
    assert Holder.objects.count() == 0


def _upload(client, documents, content, name="photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form_data(documents, photo_data="")
    data["photo_upload"] = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return client.post(ENROLL, data)


def _bomb_png(width=60_000, height=60_000) -> bytes:
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = data[12:29]
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024 + 10), "8 Mo"),
        (b"%PDF-1.4 not a photo", "pas une photo"),
        (_bomb_png(), "trop de pixels"),
        (_bomb_png(10_000, 10_000), "trop de pixels"),
        (jpeg_bytes(size=(40, 40)), "trop petite"),
    ],
    ids=["oversize", "fake", "decompression-bomb", "too-many-pixels", "tiny"],
)
def test_bad_photos_are_refused(mfa_client, agent, documents, content, message):
    client = mfa_client(agent)
    response = _upload(client, documents, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["photo_upload"])
    assert Holder.objects.count() == 0 and DataKey.objects.filter(purpose="cards.holder").count() == 0


def test_uploaded_photo_is_reencoded_without_metadata(mfa_client, agent, documents):
    from sanspeur.cards.selectors import holder_profile

    image = Image.open(io.BytesIO(face_jpeg(2)))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    assert b"SecretCameraMaker" in out.getvalue()
    response = _upload(mfa_client(agent), documents, out.getvalue())
    assert response.status_code == 302
    profile = holder_profile(acting_user=agent, holder=Holder.objects.get())
    assert b"SecretCameraMaker" not in profile["photo"]
    assert not Image.open(io.BytesIO(profile["photo"])).getexif()


def test_other_organisation_gets_404_on_every_view(mfa_client, other_agent, enrolled):
    holder, card = enrolled
    client = mfa_client(other_agent)
    gets = [f"/fr/cards/holders/{holder.pk}/", f"/fr/cards/cards/{card.pk}/card.pdf"]
    posts = [
        (f"/fr/cards/holders/{holder.pk}/issue/", {}),
        (f"/fr/cards/holders/{holder.pk}/forget/", {"confirm": "on"}),
        (f"/fr/cards/cards/{card.pk}/renew/", {}),
        (f"/fr/cards/cards/{card.pk}/replace/", {"reason": "lost"}),
        (f"/fr/cards/cards/{card.pk}/revoke/", {"reason": "fraud"}),
        (f"/fr/cards/cards/{card.pk}/suspend/", {}),
        (f"/fr/cards/cards/{card.pk}/reinstate/", {}),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    listing = client.get("/fr/cards/holders/")
    assert card.display_number not in listing.content.decode()
    card.refresh_from_db()
    assert card.state == Card.State.ACTIVE
    assert Holder.objects.filter(pk=holder.pk).exists()


def test_holder_list_shows_own_cards_without_names(mfa_client, agent, enrolled):
    _holder, card = enrolled
    text = mfa_client(agent).get("/fr/cards/holders/").content.decode()
    assert card.display_number in text
    assert "Quasimodo" not in text
    found = mfa_client(agent).post(
        "/fr/cards/holders/",
        {
            "search": "names",
            "given_names": "zephyrine",
            "family_names": "Quasimodo Lavoie",
            "date_of_birth": "1987-03-14",
        },
    )
    assert card.display_number in found.content.decode()


def test_lifecycle_views_are_audited(mfa_client, agent, enrolled):
    holder, card = enrolled
    client = mfa_client(agent)
    assert client.post(f"/fr/cards/cards/{card.pk}/suspend/").status_code == 302
    assert client.post(f"/fr/cards/cards/{card.pk}/reinstate/").status_code == 302
    assert client.post(f"/fr/cards/cards/{card.pk}/renew/").status_code == 302
    assert client.post(f"/fr/cards/cards/{card.pk}/replace/", {"reason": "stolen"}).status_code == 302
    card.refresh_from_db()
    assert card.state == Card.State.REVOKED
    new = holder.cards.exclude(pk=card.pk).get()
    assert client.post(f"/fr/cards/cards/{new.pk}/revoke/", {"reason": "fraud"}).status_code == 302
    actions = set(AuditEntry.objects.filter(actor=agent).values_list("action", flat=True))
    expected = {"cards.card.suspend", "cards.card.reinstate", "cards.card.renew", "cards.card.replace"}
    assert expected | {"cards.card.revoke", "cards.card.issue"} <= actions
    assert client.post(f"/fr/cards/holders/{holder.pk}/forget/", {"confirm": "on"}).status_code == 302
    assert not Holder.objects.filter(pk=holder.pk).exists()


def test_pdf_download_is_audited_and_its_qr_verifies(mfa_client, agent, enrolled, tmp_path):
    from sanspeur.credential.qr import read_qr

    from .conftest import verify_code

    _holder, card = enrolled
    client = mfa_client(agent)
    response = client.get(f"/fr/cards/cards/{card.pk}/card.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="cards.card.download_pdf", object_id=str(card.pk)).exists()
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "p")], check=True)
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as page:
        assert abs(page.size[0] - 1011) <= 1 and abs(page.size[1] - 638) <= 1  # 85.6 x 54 mm at 300 dpi
        code = read_qr(page.convert("L"))
    result = verify_code(client, code)
    assert result.valid and result.claims.card_number == card.number


def test_rules_are_for_administrators(mfa_client, make_staff, agent, city_organisation):
    admin = make_staff("admin.rules", ["administrator"], city_organisation)
    assert mfa_client(agent).get("/fr/cards/rules/").status_code == 403
    client = mfa_client(admin)
    assert client.get("/fr/cards/rules/").status_code == 200
    response = client.post(
        "/fr/cards/rules/",
        {
            "min_identity_points": 4,
            "min_residence_points": 1,
            "require_photo_document": "on",
            "require_birth_date_document": "on",
            "validity_months": 36,
        },
    )
    assert response.status_code == 302
    from sanspeur.cards.models import CardRules

    assert CardRules.current().validity_months == 36
    created = client.post(
        "/fr/cards/rules/documents/new/",
        {
            "code": "library-card",
            "name_fr": "Carte de bibliothèque",
            "name_en": "Library card",
            "identity_points": 1,
            "residence_points": 1,
            "is_active": "on",
            "order": 200,
        },
    )
    assert created.status_code == 302
    assert AuditEntry.objects.filter(action="cards.rules.update").exists()
    assert AuditEntry.objects.filter(action="cards.document_type.create").exists()


def test_imported_holder_gets_a_card_at_next_visit(mfa_client, agent, documents, tmp_path):
    import io as _io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    csv = tmp_path / "old.csv"
    csv.write_text(
        "given_names,family_names,date_of_birth,borough,postal_code\nAnouk,Ferreira-Blais,1979-05-02,Verdun,H4G 2A1\n"
    )
    call_command("cards_import", str(csv), "--organisation", agent.organisation.name, stdout=_io.StringIO())
    holder = Holder.objects.get()
    client = mfa_client(agent)
    listing = client.get("/fr/cards/holders/").content.decode()
    assert "Nouvelle carte à la prochaine visite" in listing
    page = client.get(f"/fr/cards/holders/{holder.pk}/").content.decode()
    assert "Ferreira-Blais" in page and "Délivrer la carte" in page
    upload = SimpleUploadedFile("p.jpg", face_jpeg(9), content_type="image/jpeg")
    response = client.post(f"/fr/cards/holders/{holder.pk}/issue/", {"photo_upload": upload})
    assert response.status_code == 302
    holder.refresh_from_db()
    assert not holder.needs_new_card and holder.cards.count() == 1
    pdf = client.get(f"/fr/cards/cards/{holder.cards.get().pk}/card.pdf")
    assert pdf.status_code == 200
    assert AuditEntry.objects.filter(action="cards.holder.print", object_id=str(holder.pk)).exists()


def test_a_good_upload_is_kept_when_another_field_is_wrong(mfa_client, agent, documents):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = mfa_client(agent)
    data = form_data(documents, photo_data="", postal_code="M5V 2T6")
    data["photo_upload"] = SimpleUploadedFile("p.jpg", face_jpeg(4), content_type="image/jpeg")
    response = client.post(ENROLL, data)
    assert "postal_code" in response.context["form"].errors
    kept = response.context["form"]["photo_data"].value()
    assert kept.startswith("data:image/jpeg;base64,")
    data = form_data(documents, photo_data=kept)
    assert client.post(ENROLL, data).status_code == 302
    assert Holder.objects.count() == 1


def test_enrollment_form_shows_a_running_total_and_a_three_field_date(mfa_client, agent, documents):
    client = mfa_client(agent)
    page = client.get(ENROLL).content.decode()
    # The date of birth: day, month (names), year — never the browser's date picker.
    assert 'type="date"' not in page
    for name in ("date_of_birth_day", "date_of_birth_month", "date_of_birth_year"):
        assert f'name="{name}"' in page
    assert "<legend>Date de naissance</legend>" in page and ">mars</option>" in page
    assert "novalidate" in page
    # Nothing ticked yet: the total says what is missing, in words.
    assert 'data-points-got="identity">0</span> point' in page and "pas encore" in page
    # The photo upload is in the photo section.
    photo = page[page.index('id="camera-heading"') :]
    assert 'name="photo_upload"' in photo[: photo.index("</section>")]
    # Sent with one mistake: the total counts what was ticked.
    response = client.post(ENROLL, form_data(documents, postal_code="K1A 0B1"))
    text = response.content.decode()
    assert 'data-points-got="identity">4</span> points sur 3 atteints' in text
    assert 'data-points-got="residence">1</span> point sur 1 atteint' in text
    assert "(3 / 0)" not in text and "3 points d’identité" in text
