from django.urls import path

from . import views

app_name = "outside_requests"
urlpatterns = [
    # Public: a resident reports a service point; the transparency counts.
    path("report/", views.report, name="report"),
    path("report/challenge/", views.challenge, name="challenge"),
    path("transparency/", views.transparency, name="transparency"),
    # Staff (city only): the register of outside requests, the refusal reports.
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<str:reference>/", views.request_detail, name="request_detail"),
    path("requests/<str:reference>/documents/<int:document_id>/", views.document, name="document"),
    path("requests/<str:reference>/<slug:action>/", views.request_action, name="request_action"),
    path("refusals/", views.refusal_list, name="refusal_list"),
    path("refusals/<int:pk>/<slug:action>/", views.refusal_action, name="refusal_action"),
]
