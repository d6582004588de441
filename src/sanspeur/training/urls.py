from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    path("coverage.csv", views.coverage_csv, name="coverage_csv"),
    path("reports/<slug:period>/<slug:language>/", views.compliance_report, name="compliance_report"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/managers/", views.unit_manager, name="unit_manager"),
    path("headcounts/", views.headcount_import, name="headcount_import"),
    path("courses/", views.courses, name="courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("requirements/", views.requirement_set, name="requirement_set"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/leave/", views.person_leave, name="person_leave"),
    path("completions/<int:pk>/<slug:action>/", views.completion_action, name="completion_action"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/register/", views.session_register, name="session_register"),
    path("sessions/<int:pk>/sheet/", views.session_sheet, name="session_sheet"),
    path("sheets/<int:pk>/", views.sheet_download, name="sheet_download"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("outcomes/new/", views.outcome_create, name="outcome_create"),
    # Public: the trainee's check-in, opened from the QR the trainer shows.
    path("checkin/<str:token>/", views.checkin, name="checkin"),
]
