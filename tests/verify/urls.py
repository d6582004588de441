"""Test-only URL map: the real one plus the shared credential vectors served as if they were
the cards app's /.well-known/ documents (so the verifier can be tested against the vectors)."""

from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from sanspeur.urls import urlpatterns as real_urlpatterns

VECTORS = Path(__file__).resolve().parent.parent / "credential" / "vectors"
TRUST_LIST_URL = "/test-vectors/trust-list"
STATUS_LIST_URL = "/test-vectors/status/1"
REQUESTS: list[str] = []  # paths fetched, so tests can see the service worker's traffic


def _file(name: str, content_type: str):
    def view(request):
        REQUESTS.append(request.path)
        response = HttpResponse((VECTORS / name).read_bytes(), content_type=content_type)
        response["Cache-Control"] = "max-age=60"
        response["ETag"] = f'"{name}-1"'
        return response

    return view


urlpatterns = [
    path(TRUST_LIST_URL.lstrip("/"), _file("trust_list.jws", "application/jose")),
    path(STATUS_LIST_URL.lstrip("/"), _file("status_list.cwt", "application/statuslist+cwt")),
    *real_urlpatterns,
]
