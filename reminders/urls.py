from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("deadlines/", views.deadlines, name="deadlines"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("notifications/<int:pk>/", views.open_notification, name="open"),
]
