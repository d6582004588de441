"""Open data: stable, language-free addresses of each published release (docs/impact.md)."""

from django.urls import path

from . import views

app_name = "impact_data"
urlpatterns = [
    path("catalog.json", views.data_catalog, name="catalog"),
    path("report-<int:year>-<slug:language>.pdf", views.data_report, name="report"),
    path("report-<int:year>-<slug:language>.pdf.jws", views.data_report, {"signature": True}, name="report_signature"),
    path("<slug:slug>.csv", views.data_csv, name="csv"),
    path("<slug:slug>.json", views.data_json, name="json"),
    path("<slug:slug>.schema.json", views.data_schema, name="schema"),
]
