from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("members/applications/", views.review_queue, name="queue"),
    path("members/applications/<int:pk>/", views.application_detail, name="application"),
    path("members/applications/<int:pk>/approve/", views.approve, name="approve"),
    path("members/applications/<int:pk>/merge/", views.merge, name="merge"),
    path("members/applications/<int:pk>/decline/", views.decline, name="decline"),
    path("members/join/", views.join_desk, name="join"),
    path("members/events/", views.event_list, name="events"),
    path("members/events/new/", views.event_new, name="event_new"),
    path("members/events/<int:pk>/", views.event_detail, name="event"),
    path("members/events/<int:pk>/roster/", views.roster_upload, name="roster"),
    path("members/events/<int:pk>/roster/confirm/", views.roster_confirm, name="roster_confirm"),
    path("members/roster-template.xlsx", views.roster_template, name="roster_template"),
]
