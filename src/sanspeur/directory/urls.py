from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("map.json", views.map_data, name="map_data"),
    path("services/<uuid:pk>/", views.detail, name="detail"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/services/<uuid:pk>/propose/", views.propose, name="propose"),
    path("staff/review/", views.review_list, name="review_list"),
    path("staff/translations/", views.translations_home, name="translations"),
    path("staff/translations/queue/", views.translation_queue, name="translation_queue"),
    path("staff/translations/translate/", views.translate, name="translate"),
]
