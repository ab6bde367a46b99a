import uuid

from django.core.management.base import BaseCommand, CommandError

from tenants.grants import InvalidPermission, parse_grant
from tenants.identity import IDENTITY_TYPES
from tenants.models import Tenant
from tenants.tokens import TokenIssuingUnavailable, issue_platform_token


def check_options(options):
    """Refuse what would silently grant nothing: a malformed identity uuid or permission."""
    if options["uuid"]:
        try:
            uuid.UUID(options["uuid"])
        except ValueError:
            raise CommandError(f"--uuid must be a UUID, got {options['uuid']!r}") from None
    for permission in options["permission"]:
        try:
            parse_grant(permission)
        except InvalidPermission as exc:
            raise CommandError(f"--permission {permission!r}: {exc}") from None


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
        check_options(options)
        try:
            token = issue_platform_token(
                tenant_id=tenant.uuid,
                identity_type=options["type"],
                identity_uuid=options["uuid"],
                roles=options["role"],
                permissions=options["permission"],
                email=options["email"],
                accounts=options["account"],
                ttl_seconds=options["ttl"],
            )
        except TokenIssuingUnavailable as exc:
            raise CommandError(str(exc.detail)) from None
        self.stdout.write(token)
