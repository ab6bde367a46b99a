import unicodedata
import uuid

from django.db import models
from django.db.models.fields.json import KeyTextTransform

from metadata_service.timestamps import now_to_the_second
from tenants.counters import METADATA_IDS, next_value
from tenants.identity import ChangeAuthorship
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


LIVE = models.Q(deleted_at__isnull=True)
DELETED = models.Q(deleted_at__isnull=False)


class MetadataQuerySet(TenantScopedQuerySet):
    """Metadata rows; ``for_tenant`` is where every read and write starts, and it keeps live rows only.

    This is the one place where "live only" (``deleted_at IS NULL``) is decided: a soft-deleted resource
    is absent from every read unless the caller asks for it with ``deleted=True`` (only deleted rows)
    or ``deleted=None`` (both, for the writes that undelete or purge, and the admin).
    """

    def for_tenant(self, tenant_id, *, deleted: bool | None = False):
        rows = super().for_tenant(tenant_id)
        if deleted is None:
            return rows
        return rows.filter(DELETED if deleted else LIVE)


class Metadata(models.Model):
    """A metadata resource: a typed, titled JSON document that a platform entity owns in one tenant.

    ``id`` is numbered per tenant (1, 2, 3, ... from ``tenants.counters``), so a tenant's ids say nothing of
    other tenants' writes; ``row`` is the table's own key, which the API never shows.

    DELETE only marks it deleted (``deleted_at``); its revisions (``MetadataRevision``) keep every change.
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
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="When it was deleted; empty while live.")

    objects = MetadataQuerySet.as_manager()

    class Meta:
        verbose_name = "metadata resource"
        constraints = [
            # A slug is unique among live resources only: a deleted one does not block its slug (PostgreSQL
            # and SQLite both have partial unique indexes). A uuid is unique among all, deleted or not.
            models.UniqueConstraint(fields=["tenant", "slug"], condition=LIVE, name="metadata_tenant_live_slug_unique"),
            models.UniqueConstraint(fields=["tenant", "uuid"], name="metadata_tenant_uuid_unique"),
            models.UniqueConstraint(fields=["tenant", "id"], name="metadata_tenant_id_unique"),
        ]
        # Every index leads with the tenant: each list query is "one tenant, one filter, one order".
        # The list indexes hold live rows only (the condition every read has), so a list and its count
        # stay index(-only) scans; deleted rows have their own small index for ?deleted=true.
        # The title search has a GIN index of the tenant's substrings of title_search, on PostgreSQL only:
        # see migration 0009 and metadatas.title_search (SQLite has no GIN).
        indexes = [
            models.Index(fields=["tenant", "id"], condition=LIVE, name="metadata_tenant_id"),
            models.Index(fields=["tenant", "owner", "id"], condition=LIVE, name="metadata_tenant_owner"),
            models.Index(fields=["tenant", "owner_uuid", "id"], condition=LIVE, name="metadata_tenant_owner_uuid"),
            models.Index(fields=["tenant", "type", "id"], condition=LIVE, name="metadata_tenant_type"),
            models.Index(fields=["tenant", "created_at", "id"], condition=LIVE, name="metadata_tenant_created"),
            models.Index(fields=["tenant", "updated_at", "id"], condition=LIVE, name="metadata_tenant_updated"),
            models.Index("tenant", title_sort_key(), "id", condition=LIVE, name="metadata_tenant_title_sort"),
            models.Index(fields=["tenant", "deleted_at", "id"], condition=DELETED, name="metadata_deleted_tenant"),
        ]

    def __str__(self):
        return self.slug

    def save(self, *args, **kwargs):
        self.title_search = title_search_text(self.title or {})
        if self.id is None:  # numbered in the saving transaction: a failed insert hands its number back
            self.id = next_value(tenant_id=self.tenant_id, name=METADATA_IDS)
        super().save(*args, **kwargs)


class RevisionOperation(models.TextChoices):
    """What a change did to a resource (or a linked key)."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    UNDELETED = "undeleted"
    RESTORED = "restored"


class RevisionQuerySet(TenantScopedQuerySet):
    """Revisions of one tenant; ``newest_first`` is the order of the revision list."""

    def newest_first(self):
        return self.order_by(models.F("version").desc())


class MetadataRevision(ChangeAuthorship):
    """One change of a resource, written by the write services in the same transaction as the change.

    ``state`` holds the writable fields after the change (camelCase, as the API writes them); the rest of
    the resource as it was (id, uuid, createdAt, tenant never change) comes from the resource row.
    The resource is referenced by its primary key (``row``, never shown), without a database constraint:
    the table's primary key is (tenant_id, row) on PostgreSQL.
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", db_index=False)
    metadata = models.ForeignKey(
        Metadata, on_delete=models.DO_NOTHING, db_constraint=False, related_name="revisions", db_index=False
    )
    version = models.PositiveBigIntegerField()
    operation = models.CharField(max_length=16, choices=RevisionOperation.choices)
    changed = models.JSONField(default=list, help_text="The camelCase fields the change touched.")
    state = models.JSONField(help_text="The writable fields after the change.")
    created_at = models.DateTimeField(default=now_to_the_second)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = "revision"
        constraints = [
            # Also the index of every revision read: one resource's revisions by version.
            models.UniqueConstraint(fields=["tenant", "metadata", "version"], name="metadata_revision_version"),
        ]

    def __str__(self):
        return f"v{self.version} {self.operation}"
