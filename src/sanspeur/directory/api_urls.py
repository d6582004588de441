from django.urls import path, re_path

from . import api

app_name = "hsds"
urlpatterns = [
    path("", api.index, name="index"),
    path("openapi.json", api.openapi, name="openapi"),
    path("services", api.services, name="services"),
    path("services/<uuid:pk>", api.service, name="service"),
    path("organizations", api.organizations, name="organizations"),
    path("organizations/<uuid:pk>", api.organization, name="organization"),
    path("service_at_locations", api.service_at_locations, name="service_at_locations"),
    path("service_at_locations/<uuid:pk>", api.service_at_location, name="service_at_location"),
    path("taxonomies", api.taxonomies, name="taxonomies"),
    path("taxonomies/<uuid:pk>", api.taxonomy_detail, name="taxonomy"),
    path("taxonomy_terms", api.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<uuid:pk>", api.taxonomy_term_detail, name="taxonomy_term"),
    # Anything else under /api/hsds/ (an id that is not a UUID, a mistyped name) is a JSON 404.
    re_path(r"", api.not_found, name="not_found"),
]
