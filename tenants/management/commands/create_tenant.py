import uuid

from django.core.management.base import BaseCommand, CommandError

from tenants.models import Tenant


class Command(BaseCommand):
    """Registers a tenant, or renames and re-enables it if it exists (idempotent)."""

    help = "Register a tenant (idempotent): create_tenant --uuid <uuid> --name <name>"

    def add_arguments(self, parser):
        parser.add_argument("--uuid", required=True, help="the tenant's UUID, as tokens name it")
        parser.add_argument("--name", required=True)
        parser.add_argument("--disabled", action="store_true", help="register it disabled")

    def handle(self, *args, **options):
        try:
            tenant_id = uuid.UUID(options["uuid"])
        except ValueError:
            raise CommandError(f"--uuid must be a UUID, got {options['uuid']!r}") from None
        tenant, created = Tenant.objects.update_or_create(
            uuid=tenant_id, defaults={"name": options["name"], "enabled": not options["disabled"]}
        )
        state = "enabled" if tenant.enabled else "disabled"
        self.stdout.write(f"{'Created' if created else 'Updated'} tenant {tenant.uuid} ({tenant.name}, {state})")
