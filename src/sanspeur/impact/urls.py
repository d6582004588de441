from django.urls import path

from . import views

app_name = "impact"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("method/", views.method, name="method"),
    path("errata/", views.errata, name="errata"),
    path("data/", views.data_index, name="data_index"),
    path("releases/<slug:slug>/", views.release, name="release"),
    # Staff: prepare, approve (a second person), discard.
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/prepare/", views.staff_prepare, name="staff_prepare"),
    path("staff/<slug:slug>/", views.staff_release, name="staff_release"),
    path("staff/<slug:slug>/<slug:action>/", views.staff_action, name="staff_action"),
]
