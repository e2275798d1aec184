"""``manage.py palaute_retention [--dry-run]``: remove personal data past its retention."""

from django.core.management.base import BaseCommand

from ...insights import retention


class Command(BaseCommand):
    help = ("Remove contact details and photos of closed cases past their retention period "
            "(PALAUTE_RETENTION_*). Open cases and cases on legal hold are never touched.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="List what would change and change nothing.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            planned = retention.plan()
            for what, references in (
                    ("Contact details would be removed from", planned.contact),
                    ("Photos would be deleted from", planned.photos),
                    ("Past their retention but on legal hold, left as they are:",
                     planned.held)):
                self.stdout.write(f"{what} {len(references)} case"
                                  f"{'' if len(references) == 1 else 's'}"
                                  f"{':' if references else '.'}")
                for reference in references:
                    self.stdout.write(f"  {reference}")
            self.stdout.write("Open cases are never touched. Dry run: nothing was changed.")
            return
        done = retention.apply()
        self.stdout.write(self.style.SUCCESS(
            f"Contact details removed from {done['contact']} cases; photos deleted from "
            f"{done['photos']} cases; {done['subscriptions']} \"me too\" subscriptions "
            "deleted."))
