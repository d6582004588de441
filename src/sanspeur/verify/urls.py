from django.urls import path

from . import views

app_name = "verify"
urlpatterns = [
    path("", views.app, name="app"),
    path("config.json", views.config, name="config"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
