from django.core.management.base import BaseCommand

from reports import retention


class Command(BaseCommand):
    help = "Anonymise finished cases past their retention period; delete old export files."

    def add_arguments(self, parser):
        parser.add_argument("--preview", action="store_true", help="list what a run would do")

    def handle(self, *args, preview=False, **options):
        if preview:
            plans, exports = retention.plan()
            for item in plans:
                if item.hold:
                    self.stdout.write(f"{item.case.number}: held ({item.hold})")
                else:
                    self.stdout.write(
                        f"{item.case.number}: anonymise; workers {len(item.workers)}, "
                        f"kept {len(item.kept_workers)}"
                    )
            for job in exports:
                self.stdout.write(f"export {job.pk}: delete {job.file.name}")
            return
        result = retention.apply()
        self.stdout.write(
            "anonymised {anonymised}, held {held}, export files deleted {exports_deleted}, "
            "online requests anonymised {online_requests}".format(**result)
        )
