"""The transparency report's open-data files (no language prefix: stable URLs for machines)."""

from django.urls import path

from . import views

app_name = "transparency"
urlpatterns = [
    path("schema/<str:name>", views.edition_schema, name="schema"),
    path("<str:name>", views.edition_file, name="file"),
]
