from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """The change feed: one event per committed change of a tenant, read by long-poll, SSE and JetStream."""

    name = "changes"
    verbose_name = "Change feed"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from changes.lag import PublishLagCollector
        from changes.listener import WAKEUPS
        from metadata_service.graceful_exit import on_worker_stop
        from metadata_service.metrics import register_scrape_collector

        register_scrape_collector(PublishLagCollector())
        on_worker_stop(WAKEUPS.stop)  # a deploy need not wait for long-polls and streams to time out
