"""``python manage.py purge_deleted``: remove resources deleted longer ago than DELETED_RETENTION_DAYS."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from metadata_service.conf import service_settings
from metadatas.services import purge_deleted


class Command(BaseCommand):
    help = (
        "Remove metadata resources deleted more than DELETED_RETENTION_DAYS days ago (default 30; 0 keeps them "
        "forever), with their revisions. Idempotent, and safe to run from cron while the service serves."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override DELETED_RETENTION_DAYS for this run")

    def handle(self, *args, days=None, **options):
        days = service_settings.DELETED_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("The retention must be 0 (keep forever) or a number of days.")
        if days == 0:
            self.stdout.write("DELETED_RETENTION_DAYS is 0: deleted resources are kept forever; nothing purged.")
            return
        removed = purge_deleted(deleted_before=timezone.now() - timedelta(days=days))
        self.stdout.write(f"Purged {removed} resource(s) deleted more than {days} day(s) ago, with their revisions.")
