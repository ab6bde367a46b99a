from django import forms
from django.contrib import admin

from tenants.grants import KNOWN_PERMISSIONS
from tenants.models import Role, Tenant, TenantMember
from tenants.permissions import may_change_tenant_state, may_manage_tenants
from tenants.quotas import QUOTA_NAMES
from tenants.registry import TenantStateNotShared, require_shared_cache_reachable
from tenants.scoping import TenantScopedAdminMixin


class TenantAdminForm(forms.ModelForm):
    """A tenant; saved only while every worker can be told of the change (the shared cache answers)."""

    class Meta:
        model = Tenant
        fields = ["uuid", "name", "enabled", *QUOTA_NAMES]

    def clean(self):
        cleaned = super().clean()
        try:
            require_shared_cache_reachable()
        except TenantStateNotShared as exc:
            raise forms.ValidationError(str(exc)) from None
        return cleaned


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """The tenant registry: disabling a tenant rejects its tokens at once. Staff see only their own tenant."""

    form = TenantAdminForm
    list_display = ("name", "uuid", "enabled", "created")
    list_filter = ("enabled",)
    search_fields = ("name", "uuid")
    readonly_fields = ("created",)

    def get_readonly_fields(self, request, obj=None):
        fields = (*self.readonly_fields, "uuid") if obj is not None else self.readonly_fields
        if not may_manage_tenants(request.user):  # a tenant's staff may not raise its own quotas
            fields = (*fields, *QUOTA_NAMES)
        return fields if may_change_tenant_state(request.user) else (*fields, "enabled")

    def has_add_permission(self, request):
        return may_manage_tenants(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return may_manage_tenants(request.user) and super().has_delete_permission(request, obj)


class PermissionLinesField(forms.CharField):
    """A role's permissions: one per line in the form, a JSON list in the database."""

    widget = forms.Textarea(attrs={"rows": 6, "cols": 80})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class RoleAdminForm(forms.ModelForm):
    """A role, its name unique in its tenant, its permissions one per line."""

    permissions = PermissionLinesField(
        required=False,
        help_text=(
            f"One per line: {', '.join(KNOWN_PERMISSIONS)}. A metadata permission may be limited to one owner: "
            "metadata:edit@BusinessUnit:c11c546e-bd01-47cf-97da-e25388357b5a."
        ),
    )

    class Meta:
        model = Role
        fields = ["tenant", "name", "permissions"]

    def clean(self):
        cleaned = super().clean()
        tenant = cleaned.get("tenant") or (self.instance.tenant if self.instance.pk else None)
        name = cleaned.get("name")
        taken = Role.objects.for_tenant(tenant.pk).filter(name=name).exclude(pk=self.instance.pk) if tenant else None
        if name and taken is not None and taken.exists():
            self.add_error("name", "This tenant already has a role of this name.")
        return cleaned


@admin.register(Role)
class RoleAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """A tenant's roles (name → permissions); tokens name them in ``identity.roles``."""

    form = RoleAdminForm
    list_display = ("name", "tenant", "permission_list")
    list_filter = (("tenant", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name",)

    @admin.display(description="permissions")
    def permission_list(self, role):
        return ", ".join(role.permissions)

    def get_readonly_fields(self, request, obj=None):
        return ("tenant",) if obj is not None else ()


class TenantMemberAdminForm(forms.ModelForm):
    """A user's membership; its roles must be roles of its tenant."""

    class Meta:
        model = TenantMember
        fields = ["user", "tenant", "identity_type", "identity_uuid", "roles", "accounts"]

    def clean(self):
        cleaned = super().clean()
        tenant, roles = cleaned.get("tenant"), cleaned.get("roles")
        if tenant and roles and any(role.tenant_id != tenant.pk for role in roles):
            self.add_error("roles", "Choose roles of the member's tenant only.")
        return cleaned


@admin.register(TenantMember)
class TenantMemberAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Ties Django users to a tenant (for POST /tokens and a scoped admin); superusers only."""

    form = TenantMemberAdminForm
    list_display = ("user", "tenant", "identity_type", "identity_uuid")
    list_filter = (("tenant", admin.RelatedOnlyFieldListFilter), "identity_type")
    search_fields = ("user__username", "user__email")
    filter_horizontal = ("roles",)

    def has_module_permission(self, request):
        return may_manage_tenants(request.user)

    def has_view_permission(self, request, obj=None):
        return may_manage_tenants(request.user)

    def has_add_permission(self, request):
        return may_manage_tenants(request.user)

    def has_change_permission(self, request, obj=None):
        return may_manage_tenants(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_manage_tenants(request.user)
