from django.urls import path

from . import humancheck, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots, name="robots"),
    path("pow/<str:scope>/challenge", humancheck.challenge, name="pow_challenge"),
]
