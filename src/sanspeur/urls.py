"""URL map. Human pages carry their language in the path (/fr/, /en/, ...) so that the public
never needs a cookie to keep a language; machine endpoints (trust list, status lists, open-data
API, verifier app) have no language prefix."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from sanspeur.outside_requests.views import canary

urlpatterns = [
    path("", include("sanspeur.core.machine_urls")),
    path(".well-known/sanspeur/canary.txt", canary, name="canary"),
    path(".well-known/sanspeur/canary.txt.jws", canary, {"signature": True}, name="canary_signature"),
    path(".well-known/sanspeur/", include("sanspeur.cards.wellknown_urls")),
    path("transparency/", include("sanspeur.outside_requests.machine_urls")),
    path("api/hsds/", include("sanspeur.directory.api_urls")),
    path("verify/", include("sanspeur.verify.urls")),
    path("wallet/app/", include("sanspeur.wallet.app_urls")),
    path("open-data/impact/", include("sanspeur.impact.data_urls")),
    path("open-data/grants/", include("sanspeur.grants.data_urls")),
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
    path("grants/", include("sanspeur.grants.urls")),
    path("impact/", include("sanspeur.impact.urls")),
    path("wallet/", include("sanspeur.wallet.urls")),
    prefix_default_language=True,
)

handler400 = "sanspeur.core.views.bad_request"
handler403 = "sanspeur.core.views.permission_denied"
handler404 = "sanspeur.core.views.page_not_found"
handler500 = "sanspeur.core.views.server_error"
