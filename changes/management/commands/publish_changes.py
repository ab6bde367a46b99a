from django.core.management.base import BaseCommand, CommandError

from changes.publisher import Publisher
from metadata_service.conf import service_settings


class Command(BaseCommand):
    """Publish the change feed of every tenant to NATS JetStream until stopped (SIGTERM)."""

    help = "Publish every change feed event to the JetStream stream NATS_STREAM on NATS_URL, at least once."

    def handle(self, *args, **options):
        url = service_settings.NATS_URL
        if not url:
            raise CommandError("Set NATS_URL (e.g. nats://127.0.0.1:4222) to publish the change feed.")
        self.stdout.write(f"Publishing the change feed to {service_settings.NATS_STREAM} on {url}")
        Publisher(url=url, stream=service_settings.NATS_STREAM).run_forever()
