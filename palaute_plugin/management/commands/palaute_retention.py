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
            self.stdout.write(f"Contact details would be removed from {len(planned.contact)} "
                              "cases:")
            for reference in planned.contact:
                self.stdout.write(f"  {reference}")
            self.stdout.write(f"Photos would be deleted from {len(planned.photos)} cases:")
            for reference in planned.photos:
                self.stdout.write(f"  {reference}")
            self.stdout.write(f"Left as they are, on legal hold: {len(planned.held)} cases:")
            for reference in planned.held:
                self.stdout.write(f"  {reference}")
            self.stdout.write("Dry run: nothing was changed.")
            return
        done = retention.apply()
        self.stdout.write(self.style.SUCCESS(
            f"Contact details removed from {done['contact']} cases; photos deleted from "
            f"{done['photos']} cases; {done['subscriptions']} \"me too\" subscriptions "
            "deleted."))
