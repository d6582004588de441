from django.urls import path

from . import views

app_name = "impact"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("method/", views.method, name="method"),
    path("errata/", views.errata, name="errata"),
    path("data/", views.data_index, name="data_index"),
    path("releases/<slug:slug>/", views.release, name="release"),
    # Testimonies: the public page, sharing one, following or withdrawing it; the moderators' pages.
    path("testimonies/", views.testimonies, name="testimonies"),
    path("testimonies/share/", views.testimony_share, name="testimony_share"),
    path("testimonies/follow/", views.testimony_follow, name="testimony_follow"),
    path("testimonies/challenge/", views.testimony_challenge, name="testimony_challenge"),
    path("staff/testimonies/", views.testimony_list, name="testimony_list"),
    path("staff/testimonies/<uuid:pk>/", views.testimony_detail, name="testimony_detail"),
    path("staff/testimonies/<uuid:pk>/<slug:action>/", views.testimony_action, name="testimony_action"),
    # Staff: prepare, approve (a second person), discard.
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/prepare/", views.staff_prepare, name="staff_prepare"),
    path("staff/<slug:slug>/", views.staff_release, name="staff_release"),
    path("staff/<slug:slug>/<slug:action>/", views.staff_action, name="staff_action"),
]
