"""Background work of the cases app (Django's tasks framework, django-tasks-db)."""

from django.conf import settings
from django.tasks import task
from django.utils import translation

from .documents import case_file
from .models import Case


@task
def keep_case_file(case_id: int) -> None:
    """Render and keep a case's case file as soon as it finishes, in the language of
    the bundles (settings.LANGUAGE_CODE), so that downloads and the auditors' ZIP
    serve it without rendering. A case reopened meanwhile is left alone."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case.is_finished:
        return
    with translation.override(settings.LANGUAGE_CODE):
        case_file(case.specific())
