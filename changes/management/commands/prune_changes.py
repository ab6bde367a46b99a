from django.core.management.base import BaseCommand

from changes.retention import prune_changes
from metadata_service.conf import service_settings


class Command(BaseCommand):
    """Remove change feed events older than ``CHANGES_RETENTION_HOURS`` (safe from cron while serving)."""

    help = "Remove change feed events older than CHANGES_RETENTION_HOURS, never one the publisher has not sent."

    def handle(self, *args, **options):
        removed = prune_changes(hours=service_settings.CHANGES_RETENTION_HOURS)
        if options["verbosity"]:
            self.stdout.write(f"Removed {removed} change feed events.")
