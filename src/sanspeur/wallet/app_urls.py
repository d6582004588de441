"""The holder app, a machine URL without language (/wallet/app/): the languages are in the page."""

from django.urls import path

from . import views

app_name = "wallet_app"
urlpatterns = [
    path("", views.app, name="app"),
    path("claim", views.claim, name="claim"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
