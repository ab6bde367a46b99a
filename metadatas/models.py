import unicodedata
import uuid

from django.db import models
from django.db.models.fields.json import KeyTextTransform

from metadata_service.timestamps import now_to_the_second
from tenants.counters import METADATA_IDS, next_value
from tenants.models import Tenant
from tenants.scoping import TenantScopedQuerySet

# The locale whose title order[title] sorts on; the index below serves it (metadatas/checks.py refuses a
# TITLE_DEFAULT_LOCALE setting that differs, which would sort without the index).
TITLE_SORT_LOCALE = "en"
# The longest title of one locale, in characters (the serializer checks it, the OpenAPI schema shows it).
TITLE_MAX_CHARS = 1000


def fold_for_search(text):
    """Caseless, compatibility-normalised form of ``text``, the same for any locale (ß ~ ss, Ǆ ~ dž)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def title_search_text(title):
    """What the title filter searches: every locale's title, folded, one per line."""
    return "\n".join(fold_for_search(value) for value in title.values())


def title_sort_key(locale=TITLE_SORT_LOCALE):
    return KeyTextTransform(locale, "title")


class Metadata(models.Model):
    """A metadata resource: a typed, titled JSON document that a platform entity owns in one tenant.

    ``id`` is numbered per tenant (1, 2, 3, ... from ``tenants.counters``), so a tenant's ids say nothing of
    other tenants' writes; ``row`` is the table's own key, which the API never shows.
    """

    row = models.BigAutoField(primary_key=True)
    id = models.PositiveBigIntegerField(editable=False, help_text="Numbered per tenant, in creation order.")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", db_index=False)
    uuid = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(default=now_to_the_second)
    updated_at = models.DateTimeField(default=now_to_the_second)
    owner = models.CharField(max_length=255)
    owner_uuid = models.UUIDField(null=True, blank=True)
    title = models.JSONField(help_text='Locale code to title, e.g. {"en": "OAuth Providers"}.')
    title_search = models.TextField(editable=False, default="")
    slug = models.CharField(max_length=255)
    type = models.CharField(max_length=255)
    data = models.JSONField(default=dict, blank=True)
    version = models.PositiveBigIntegerField(default=1)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "metadata resource"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="metadata_tenant_slug_unique"),
            models.UniqueConstraint(fields=["tenant", "uuid"], name="metadata_tenant_uuid_unique"),
            models.UniqueConstraint(fields=["tenant", "id"], name="metadata_tenant_id_unique"),
        ]
        # Every index leads with the tenant: each list query is "one tenant, one filter, one order".
        # The title search has a trigram GIN index too, (tenant_id, title_search), on PostgreSQL only:
        # see migration 0002 (SQLite has no GIN).
        indexes = [
            models.Index(fields=["tenant", "owner", "id"], name="metadata_tenant_owner"),
            models.Index(fields=["tenant", "owner_uuid", "id"], name="metadata_tenant_owner_uuid"),
            models.Index(fields=["tenant", "type", "id"], name="metadata_tenant_type"),
            models.Index(fields=["tenant", "created_at", "id"], name="metadata_tenant_created"),
            models.Index(fields=["tenant", "updated_at", "id"], name="metadata_tenant_updated"),
            models.Index("tenant", title_sort_key(), "id", name="metadata_tenant_title_sort"),
        ]

    def __str__(self):
        return self.slug

    def save(self, *args, **kwargs):
        self.title_search = title_search_text(self.title or {})
        if self.id is None:  # numbered in the saving transaction: a failed insert hands its number back
            self.id = next_value(tenant_id=self.tenant_id, name=METADATA_IDS)
        super().save(*args, **kwargs)
