"""URL map. Human pages carry their language in the path (/fr/, /en/, ...) so that the public
never needs a cookie to keep a language; machine endpoints (trust list, status lists, open-data
API, verifier app) have no language prefix."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

urlpatterns = [
    path("", include("sanspeur.core.machine_urls")),
    path(".well-known/sanspeur/", include("sanspeur.cards.wellknown_urls")),
    path("api/hsds/", include("sanspeur.directory.api_urls")),
    path("verify/", include("sanspeur.verify.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("sanspeur.core.urls")),
    path("staff/", include("sanspeur.accounts.urls")),
    path("cards/", include("sanspeur.cards.urls")),
    path("directory/", include("sanspeur.directory.urls")),
    path("clinics/", include("sanspeur.clinics.urls")),
    path("protection/", include("sanspeur.protection.urls")),
    path("accountability/", include("sanspeur.outside_requests.urls")),
    path("training/", include("sanspeur.training.urls")),
    prefix_default_language=True,
)

handler400 = "sanspeur.core.views.bad_request"
handler403 = "sanspeur.core.views.permission_denied"
handler404 = "sanspeur.core.views.page_not_found"
handler500 = "sanspeur.core.views.server_error"
