import uuid

from django.db import models


class Tenant(models.Model):
    """A customer of the platform; every stored row belongs to exactly one tenant."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=255)
    enabled = models.BooleanField(default=True, help_text="Disabling a tenant rejects its tokens at once.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.uuid})"
