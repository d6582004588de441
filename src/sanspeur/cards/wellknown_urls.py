from django.urls import path

from . import views

app_name = "wellknown"
urlpatterns = [
    path("status/<slug:list_id>", views.status_list, name="status_list"),
    path("trust-list", views.trust_list, name="trust_list"),
    path("trust-root.pem", views.trust_root, name="trust_root"),
]
