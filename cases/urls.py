from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.queue, name="queue"),
    path("cases/new/", views.dispute_new, name="dispute_new"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/take/", views.case_take, name="take"),
    path("cases/<str:number>/assign/", views.case_assign, name="assign"),
    path("cases/<str:number>/do/<str:name>/", views.case_transition, name="transition"),
    path("cases/<str:number>/record/<str:action>/", views.case_record, name="record"),
    path("cases/<str:number>/payments/<int:pk>/void/", views.payment_void, name="void_payment"),
    path("cases/<str:number>/documents/<int:pk>/", views.document_download, name="document"),
    # Printable documents (PDF): case file, intake record, agreement, approval form.
    path("cases/<str:number>/print/<str:document>/", views.print_document, name="print"),
    path("workers/", views.worker_list, name="workers"),
    path("workers/new/", views.worker_new, name="worker_new"),
    path("workers/<int:pk>/", views.worker_detail, name="worker"),
    path("workers/<int:pk>/edit/", views.worker_edit, name="worker_edit"),
    path("workers/<int:pk>/reveal/", views.worker_reveal, name="worker_reveal"),
]
