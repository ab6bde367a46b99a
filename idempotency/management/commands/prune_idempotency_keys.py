from django.core.management.base import BaseCommand

from idempotency.records import prune


class Command(BaseCommand):
    """Forget idempotency keys older than IDEMPOTENCY_KEY_HOURS (safe to run from cron while serving)."""

    help = "Delete stored idempotency records older than IDEMPOTENCY_KEY_HOURS."

    def handle(self, *args, **options):
        removed = prune()
        self.stdout.write(f"Pruned {removed} idempotency record(s).")
