from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    # The public pages: the posters' QR codes point at these paths; keep them.
    path("p/station/<int:pk>/", views.station, name="station"),
    path("p/station/<int:pk>/help/", views.station_help, name="station_help"),
    path("p/station/<int:pk>/join/", views.station_join, name="station_join"),
    path("p/event/<uuid:public_id>/", views.event, name="event"),
    path("p/event/<uuid:public_id>/count/", views.event_count, name="event_count"),
    path("p/status/", views.status, name="status"),
    path("p/done/", views.done, name="done"),
    # The staff's queue of online requests.
    path("online-requests/", views.queue, name="queue"),
    path("online-requests/<int:pk>/", views.detail, name="request"),
    path("online-requests/<int:pk>/register/", views.register, name="register"),
    path("online-requests/<int:pk>/open/", views.open_as_case, name="open"),
    path("online-requests/<int:pk>/decline/", views.decline, name="decline"),
]
