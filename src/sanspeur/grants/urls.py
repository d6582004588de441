from django.urls import path

from . import views

app_name = "grants"
urlpatterns = [
    # Public: the calls (five languages) and the organisations' sign-up.
    path("", views.call_list, name="call_list"),
    path("calls/<slug:code>/", views.call_detail, name="call_detail"),
    path("signup/", views.signup, name="signup"),
    path("register/", views.register_page, name="register"),
    # Applicant organisations.
    path("apply/", views.applicant_home, name="applicant_home"),
    path("apply/calls/<slug:code>/", views.application_start, name="application_start"),
    path("apply/<int:pk>/", views.application_edit, name="application_edit"),
    path("apply/<int:pk>/partners/", views.application_partners, name="application_partners"),
    path("apply/<int:pk>/budget/", views.application_budget, name="application_budget"),
    path("apply/<int:pk>/files/", views.application_attachments, name="application_attachments"),
    path("apply/<int:pk>/files/<int:attachment_id>/", views.application_attachment, name="application_attachment"),
    path("apply/<int:pk>/do/<slug:action>/", views.application_action, name="application_action"),
    path("apply/<int:pk>/reports/", views.application_reports, name="application_reports"),
    path("apply/<int:pk>/amendments/", views.application_amendments, name="application_amendments"),
    path("apply/<int:pk>/agreement.pdf", views.application_agreement_pdf, name="application_agreement_pdf"),
    path("apply/<int:pk>/agreement/signed/", views.application_signed_agreement, name="application_signed_agreement"),
    path("apply/<int:pk>/decision.pdf", views.application_decision_letter, name="application_decision_letter"),
    # The city's program officers.
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/calls/new/", views.call_create, name="call_create"),
    path("staff/calls/<int:pk>/", views.call_manage, name="call_manage"),
    path("staff/calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("staff/calls/<int:pk>/ranking/", views.call_ranking, name="call_ranking"),
    path("staff/calls/<int:pk>/calibration/", views.call_calibration, name="call_calibration"),
    path("staff/calls/<int:pk>/do/<slug:action>/", views.call_action, name="call_action"),
    path("staff/reports/", views.staff_reports, name="staff_reports"),
    path("staff/payments.csv", views.finance_csv, name="finance_csv"),
    path("staff/applications/<int:pk>/", views.staff_application, name="staff_application"),
    path("staff/applications/<int:pk>/files/<int:attachment_id>/", views.staff_attachment, name="staff_attachment"),
    path("staff/applications/<int:pk>/agreement/", views.staff_agreement, name="staff_agreement"),
    path("staff/applications/<int:pk>/agreement.pdf", views.staff_agreement_pdf, name="staff_agreement_pdf"),
    path("staff/applications/<int:pk>/agreement/signed/", views.staff_signed_agreement, name="staff_signed_agreement"),
    path("staff/applications/<int:pk>/decision.pdf", views.staff_decision_letter, name="staff_decision_letter"),
    path(
        "staff/applications/<int:pk>/agreement/do/<slug:action>/",
        views.staff_agreement_action,
        name="staff_agreement_action",
    ),
    path(
        "staff/applications/<int:pk>/do/<slug:action>/", views.staff_application_action, name="staff_application_action"
    ),
    # Reviewers.
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review, name="review"),
]
