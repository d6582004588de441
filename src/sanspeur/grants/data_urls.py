"""Machine endpoints of the funding program (no language prefix): the public register of awards in
the 360Giving Data Standard."""

from django.urls import path

from . import views

app_name = "grants_data"
urlpatterns = [
    path("360giving.json", views.register_json, name="register_json"),
    path("360giving.csv", views.register_csv, name="register_csv"),
]
