from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """The change feed: one event per committed change of a tenant, read by long-poll, SSE and JetStream."""

    name = "changes"
    verbose_name = "Change feed"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from changes.lag import PublishLagCollector
        from metadata_service.metrics import register_scrape_collector

        register_scrape_collector(PublishLagCollector())
