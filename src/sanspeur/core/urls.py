from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("our-promise/", views.promise, name="promise"),
    path("get-a-card/", views.get_card, name="get_card"),
]
