import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_root_redirects_to_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/fr/"


def test_home_page_is_french_with_the_promise(client):
    response = client.get("/fr/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in html
    assert "statut d" in html.lower()  # plain words about immigration status, in French
    assert "<h1>" in html


def test_home_page_in_english_and_arabic_right_to_left(client):
    assert '<html lang="en" dir="ltr">' in client.get("/en/").content.decode()
    assert '<html lang="ar" dir="rtl">' in client.get("/ar/").content.decode()


def test_public_pages_set_no_cookie_and_no_third_party_asset(client):
    for url in ("/fr/", "/fr/our-promise/", "/es/", "/ht/our-promise/"):
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies, url
        html = response.content.decode()
        for marker in ("http://", "https://", "//cdn", "googleapis", "gstatic"):
            assert marker not in html.replace('href="https://', "").replace("http://www.w3.org", ""), (url, marker)


def test_security_headers(client):
    response = client.get("/fr/")
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_not_found_is_a_translated_page(client):
    response = client.get("/fr/does-not-exist/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_client_address_is_never_seen_by_the_application(rf):
    from sanspeur.core.middleware import PrivacyHeadersMiddleware

    seen = {}

    def view(request):
        seen["addr"] = request.META.get("REMOTE_ADDR")
        seen["fwd"] = request.META.get("HTTP_X_FORWARDED_FOR")
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    PrivacyHeadersMiddleware(view)(request)
    assert seen == {"addr": "0.0.0.0", "fwd": None}  # noqa: S104


def test_reverse_uses_language_prefix():
    with translation.override("es"):
        assert reverse("core:home") == "/es/"
