from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    path("assistance/aid/new/", views.aid_new, name="aid_new"),
    path("assistance/cards/new/", views.card_new, name="card_new"),
    path("assistance/approvals/", views.approvals, name="approvals"),
    path(
        "cases/<str:number>/aid-for/<int:worker>/",
        views.aid_from_dispute,
        name="aid_from_dispute",
    ),
]
