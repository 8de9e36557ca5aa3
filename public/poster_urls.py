"""The staff's QR codes and posters of stations and drives (public/poster_views.py).

One pattern per size, so every URL is a fixed path with the object's pk only.
"""

from django.urls import path

from . import poster_views as views

app_name = "posters"
urlpatterns = [
    path("stations/<int:pk>/qr.svg", views.station_qr, name="station_qr"),
    path(
        "stations/<int:pk>/poster-a4.pdf",
        views.station_poster,
        {"size": "a4"},
        name="station_poster_a4",
    ),
    path(
        "stations/<int:pk>/poster-a5.pdf",
        views.station_poster,
        {"size": "a5"},
        name="station_poster_a5",
    ),
    path("members/events/<int:pk>/qr.svg", views.event_qr, name="event_qr"),
    path(
        "members/events/<int:pk>/poster-a4.pdf",
        views.event_poster,
        {"size": "a4"},
        name="event_poster_a4",
    ),
    path(
        "members/events/<int:pk>/poster-a5.pdf",
        views.event_poster,
        {"size": "a5"},
        name="event_poster_a5",
    ),
]
