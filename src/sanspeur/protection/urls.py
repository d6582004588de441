from django.urls import path

from . import views

app_name = "protection"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("followup/", views.followup, name="followup"),
    path("challenge/<str:scope>/", views.challenge, name="challenge"),
    path("unit/unlock/", views.unlock, name="unlock"),
    path("unit/lock/", views.lock, name="lock"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/statistics/", views.stats, name="stats"),
    path("cases/<str:reference>/", views.case_detail, name="case_detail"),
    path("cases/<str:reference>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("cases/<str:reference>/<slug:action>/", views.case_action, name="case_action"),
]
