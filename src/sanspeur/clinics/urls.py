from django.urls import path

from sanspeur.core.privacy import register_secret_converter

from . import views

register_secret_converter()  # <secret:code>: the log filter blanks booking codes in paths

app_name = "clinics"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("e/<uuid:pk>/", views.event_detail, name="event_detail"),
    path("e/<uuid:pk>/poster/", views.event_poster, name="event_poster"),
    path("slot/<int:session_id>/book/", views.book, name="book"),
    path("booking/", views.booking_lookup, name="booking_lookup"),
    path("booking/<secret:code>/", views.booking, name="booking"),
    path("booking/<secret:code>/calendar.ics", views.booking_ics, name="booking_ics"),
    path("precheck/", views.precheck, name="precheck"),
    path("staff/", views.staff_event_list, name="staff_event_list"),
    path("staff/new/", views.staff_event_edit, name="staff_event_create"),
    path("staff/report/", views.staff_report, name="staff_report"),
    path("staff/e/<uuid:pk>/", views.staff_event_detail, name="staff_event_detail"),
    path("staff/e/<uuid:pk>/edit/", views.staff_event_edit, name="staff_event_edit"),
    path("staff/e/<uuid:pk>/report/", views.staff_event_report, name="staff_event_report"),
    path("checkin/", views.checkin_home, name="checkin_home"),
    path("checkin/<uuid:pk>/", views.checkin_event, name="checkin_event"),
]
