"""``changes_publish_lag_events{tenant=…}`` on /metrics: events committed but not yet acknowledged by
JetStream, per tenant whose position ``publish_changes`` recorded, computed from the database when scraped."""

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily

from changes.models import PublishPosition
from changes.recording import COUNTER
from tenants.counters import TenantCounter


def publish_lag() -> dict[str, int]:
    """Tenant id → events after its published position (one query)."""
    heads = dict(TenantCounter.objects.filter(name=COUNTER).values_list("tenant_id", "value"))
    return {
        str(tenant_id): max(heads.get(tenant_id, 0) - seq, 0)
        for tenant_id, seq in PublishPosition.objects.values_list("tenant_id", "seq")
    }


class PublishLagCollector:
    """A Prometheus collector read at each scrape (``metadata_service.metrics.register_scrape_collector``)."""

    def collect(self):
        gauge = GaugeMetricFamily(
            "changes_publish_lag_events",
            "Change feed events committed but not yet acknowledged by JetStream, per tenant.",
            labels=["tenant"],
        )
        try:
            lag = publish_lag()
        except DatabaseError:  # a scrape while the database is down still shows the other metrics
            lag = {}
        for tenant, events in sorted(lag.items()):
            gauge.add_metric([tenant], events)
        yield gauge
