from django.urls import path

from sanspeur.core.privacy import register_secret_converter

from . import views

register_secret_converter()  # <secret:token>: the log filter blanks enrolment links in paths

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("mfa/", views.mfa_view, name="mfa"),
    path("logout/", views.logout_view, name="logout"),
    path("enrol/<secret:token>/", views.enrol_link, name="enrol"),
    path("password/", views.password_change, name="password_change"),
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_list, name="audit"),
    path("accounts/", views.staff_list, name="staff_list"),
    path("accounts/new/", views.staff_create, name="staff_create"),
    path("accounts/<int:user_id>/", views.staff_detail, name="staff_detail"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<uuid:organisation_id>/", views.organisation_edit, name="organisation_edit"),
]
