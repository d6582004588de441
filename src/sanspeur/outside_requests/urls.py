from django.urls import path

from . import views

app_name = "outside_requests"
urlpatterns = [
    # Public: a resident reports a service point; the transparency counts.
    path("report/", views.report, name="report"),
    path("report/challenge/", views.challenge, name="challenge"),
    path("report/follow/", views.report_follow, name="report_follow"),
    path("charter/", views.charter_rules, name="charter_rules"),
    path("charter/sign/", views.charter, name="charter"),
    path("transparency/", views.transparency, name="transparency"),
    path("transparency/<str:period>/", views.edition, name="edition"),
    # Staff (city only): the register of outside requests, the refusal reports.
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/calendar.ics", views.alerts_ics, name="alerts_ics"),
    path("requests/<str:reference>/", views.request_detail, name="request_detail"),
    path("requests/<str:reference>/documents/<int:document_id>/", views.document, name="document"),
    path("requests/<str:reference>/<slug:action>/", views.request_action, name="request_action"),
    path("editions/", views.editions, name="editions"),
    path("refusals/", views.refusal_list, name="refusal_list"),
    path("refusals/<int:pk>/<slug:action>/", views.refusal_action, name="refusal_action"),
]
