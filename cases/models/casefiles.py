"""A finished case's case file, rendered once and kept.

A finished case does not change, so neither does its case file: it is rendered on
its first request (or its first export) and kept with its SHA-256, and every later
download or bundle serves those same bytes. The file belongs to one finishing of the
case: `finished_at` records which, and a case reopened and finished again (a new
`finished_at`) gets a new file. Anonymisation deletes the kept files.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .core import Case


def case_file_path(instance, filename: str) -> str:
    return f"case-files/{instance.case_id}/{instance.language}-{instance.sha256[:16]}.pdf"


class StoredCaseFile(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stored_case_files")
    language = models.CharField(_("language"), max_length=10)
    finished_at = models.DateTimeField(_("finished"))
    file = models.FileField(upload_to=case_file_path)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size"))
    rendered_at = models.DateTimeField(_("rendered"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored case file")
        verbose_name_plural = _("stored case files")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "language", "finished_at"], name="one_case_file_per_finishing"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.language} {self.sha256[:12]}"
