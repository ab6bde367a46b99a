import uuid

from django.core.management.base import BaseCommand, CommandError

from tenants.identity import IDENTITY_TYPES
from tenants.models import Tenant
from tenants.tokens import issue_platform_token


class Command(BaseCommand):
    """Prints one signed access token for a registered tenant."""

    help = "Print a signed JWT for a tenant: issue_token --tenant <uuid> [--type System] ..."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant UUID (must be registered)")
        parser.add_argument("--type", default="System", choices=IDENTITY_TYPES, help="identity type")
        parser.add_argument("--uuid", help="identity UUID (default: a new one)")
        parser.add_argument("--role", action="append", default=[], help="a role name (repeatable)")
        parser.add_argument("--permission", action="append", default=[], help="a permission (repeatable)")
        parser.add_argument("--email", help="the identity's email (AccountUser)")
        parser.add_argument("--account", action="append", default=[], help="an account number (repeatable)")
        parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")

    def handle(self, *args, **options):
        try:
            tenant = Tenant.objects.get(pk=uuid.UUID(options["tenant"]))
        except (ValueError, Tenant.DoesNotExist):
            raise CommandError(f"No registered tenant {options['tenant']!r}; run create_tenant first.") from None
        if options["ttl"] < 1:
            raise CommandError("--ttl must be at least 1 second")
        self.stdout.write(
            issue_platform_token(
                tenant_id=tenant.uuid,
                identity_type=options["type"],
                identity_uuid=options["uuid"],
                roles=options["role"],
                permissions=options["permission"],
                email=options["email"],
                accounts=options["account"],
                ttl_seconds=options["ttl"],
            )
        )
