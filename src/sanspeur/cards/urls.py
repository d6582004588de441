from django.urls import path

from . import views

app_name = "cards"
urlpatterns = [
    path("enroll/", views.enroll, name="enroll"),
    path("holders/", views.holder_list, name="holder_list"),
    path("holders/<uuid:pk>/", views.holder_detail, name="holder_detail"),
    path("holders/<uuid:pk>/issue/", views.holder_issue, name="holder_issue"),
    path("holders/<uuid:pk>/forget/", views.holder_forget, name="holder_forget"),
    path("cards/<uuid:pk>/card.pdf", views.card_pdf_view, name="card_pdf"),
    path("cards/<uuid:pk>/renew/", views.card_renew, name="card_renew"),
    path("cards/<uuid:pk>/replace/", views.card_replace, name="card_replace"),
    path("cards/<uuid:pk>/revoke/", views.card_revoke, name="card_revoke"),
    path("cards/<uuid:pk>/suspend/", views.card_suspend, name="card_suspend"),
    path("cards/<uuid:pk>/reinstate/", views.card_reinstate, name="card_reinstate"),
    path("rules/", views.rules, name="rules"),
    path("rules/documents/new/", views.document_type_edit, name="document_type_create"),
    path("rules/documents/<int:pk>/", views.document_type_edit, name="document_type_edit"),
]
