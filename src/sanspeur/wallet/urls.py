"""The agent's page (/<lang>/wallet/...), linked from the holder's page."""

from django.urls import path

from . import views

app_name = "wallet"
urlpatterns = [
    path("cards/<uuid:pk>/phone/", views.card_phone, name="card_phone"),
]
