"""The auditors' pages: exports of finished cases and the audit log."""

from django.urls import path

from . import subject_access, views

app_name = "audit"
urlpatterns = [
    path("audit/exports/", views.export_page, name="export"),
    path("audit/exports/finished-cases.csv", views.export_csv, name="export_csv"),
    path("audit/exports/finished-cases.xlsx", views.export_xlsx, name="export_xlsx"),
    path("audit/exports/case-files/", views.export_case_files, name="export_zip"),
    path("audit/exports/case-files/retry/", views.export_job_retry, name="export_retry"),
    # The job is a query parameter (?job=…): the file is served by one fixed URL.
    path("audit/exports/case-files.zip", views.export_job_download, name="export_download"),
    path("audit/log/", views.audit_log, name="log"),
    path("audit/log.csv", views.audit_log_csv, name="log_csv"),
    path("audit/retention/", views.retention_preview, name="retention"),
    path("audit/cases/<str:number>/hold/", views.case_audit_hold, name="hold"),
    # A copy of everything held about one worker, for them (PIPL Art. 45): pdf or json.
    path(
        "workers/<int:pk>/personal-data.<str:format>",
        subject_access.download,
        name="subject_access",
    ),
]
