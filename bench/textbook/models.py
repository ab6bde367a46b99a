from django.db import models


class Metadata(models.Model):
    """The service's table, read as it stands."""

    uuid = models.UUIDField()
    tenant_id = models.UUIDField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    owner = models.CharField(max_length=255)
    owner_uuid = models.UUIDField(null=True)
    title = models.JSONField()
    title_search = models.TextField()
    slug = models.CharField(max_length=255)
    type = models.CharField(max_length=255)
    data = models.JSONField()
    version = models.PositiveBigIntegerField()

    class Meta:
        managed = False
        db_table = "metadatas_metadata"

    def __str__(self):
        return self.slug
