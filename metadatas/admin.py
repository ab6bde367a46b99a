import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from metadata_service.conf import service_settings
from metadata_service.problems import violations_from
from metadatas.data_rules import check_resource_data
from metadatas.exceptions import NotDeleted, SlugTaken, VersionConflict
from metadatas.models import Metadata, MetadataRevision
from metadatas.serializers import MetadataSerializer
from metadatas.services import metadata_create, metadata_delete, metadata_undelete, metadata_update
from tenants.identity import actor_of_request
from tenants.scoping import TenantScopedAdminMixin

EDITABLE_FIELDS = ["owner", "owner_uuid", "title", "slug", "type", "data"]
# Fields the admin checks with the API's own rules (model name: serializer name).
API_RULES = {"owner": "owner", "title": "title", "slug": "slug", "type": "type", "data": "data"}


class PrettyJSONField(forms.JSONField):
    """JSON shown indented in a monospace textarea as tall as the document (up to 30 lines)."""

    widget = forms.Textarea(attrs={"class": "vLargeTextField", "style": "font-family: monospace", "cols": 80})

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2)


def api_rule_errors(name, value):
    """The API's complaints about ``value`` for model field ``name``, as lines; empty when it is valid."""
    try:
        MetadataSerializer().fields[API_RULES[name]].run_validation(value)
    except serializers.ValidationError as exc:
        return [
            f"{v['propertyPath']}: {v['message']}" if v["propertyPath"] else v["message"]
            for v in violations_from(exc.detail)
        ]
    return []


class MetadataAdminForm(forms.ModelForm):
    """The admin form, carrying the version the editor opened so that a stale save is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Metadata
        fields = ["tenant", "uuid", *EDITABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        for name in ("title", "data"):
            lines = self.fields[name].prepare_value(getattr(self.instance, name, None)).count("\n") + 2
            self.fields[name].widget.attrs["rows"] = min(max(lines, 4), 30)

    def clean(self):
        cleaned = super().clean()
        for name in API_RULES:
            if name in cleaned:
                for message in api_rule_errors(name, cleaned[name]):
                    self.add_error(name, message)
        self.check_data_rules(cleaned)
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected != self.instance.version:
            raise forms.ValidationError(
                f"Someone saved this resource (now version {self.instance.version}) since you opened it. "
                "Reload the page to edit the current version."
            )
        return cleaned

    def check_data_rules(self, cleaned):
        """The data rules the write services apply (a type's schema), shown on the form's fields."""
        tenant_id = cleaned["tenant"].pk if cleaned.get("tenant") else self.instance.tenant_id
        kind, data = cleaned.get("type", self.instance.type), cleaned.get("data", self.instance.data)
        if tenant_id is None or self.errors:
            return
        try:
            check_resource_data(tenant_id=tenant_id, type=kind, data=data)
        except serializers.ValidationError as exc:
            for violation in violations_from(exc.detail):
                field = "type" if violation["propertyPath"] == "type" else "data"
                self.add_error(field, f"{violation['propertyPath']}: {violation['message']}")


class DeletedFilter(admin.SimpleListFilter):
    """Live resources, deleted ones, or both (the default: the admin shows what the API hides)."""

    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


@admin.register(Metadata)
class MetadataAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Metadata resources, deleted ones too; saving, deleting and undeleting go through the write services
    (the same compare-and-swap and revisions as the API). Staff see their tenant's."""

    form = MetadataAdminForm
    formfield_overrides = {models.JSONField: {"form_class": PrettyJSONField}}
    list_display = ("slug", "default_title", "type", "owner", "version", "updated_at", "deleted_at", "tenant")
    list_filter = (DeletedFilter, "type", "owner", ("tenant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("slug", "title_search", "uuid")
    readonly_fields = ("version", "created_at", "updated_at", "deleted_at", "revisions")
    actions = ["undelete_selected"]
    admin_tenant_scope = {"deleted": None}  # the admin lists deleted resources too (see DeletedFilter)
    fieldsets = [
        (None, {"fields": ["tenant", "uuid", "slug", "type"]}),
        ("Owner", {"fields": ["owner", "owner_uuid"]}),
        ("Document (JSON)", {"fields": ["title", "data"]}),
        ("History", {"fields": ["revisions"], "classes": ["collapse"]}),
        (
            "Version",
            {
                "fields": ["version", "created_at", "updated_at", "deleted_at", "expected_version"],
                "description": "Saving checks that nobody saved a newer version since this page was opened.",
            },
        ),
    ]

    @admin.display(description="title")
    def default_title(self, metadata):
        """The title in the default locale (else any), for the list."""
        title = metadata.title or {}
        locale = service_settings.TITLE_DEFAULT_LOCALE
        return title.get(locale) or next(iter(title.values()), "")

    def get_readonly_fields(self, request, obj=None):
        fixed_once_created = ("tenant", "uuid") if obj is not None else ()
        return (*self.readonly_fields, *fixed_once_created)

    def save_model(self, request, obj, form, change):
        actor = actor_of_request(request)
        if not change:
            fields = {name: getattr(obj, name) for name in ["uuid", *EDITABLE_FIELDS]}
            obj.pk = metadata_create(tenant_id=obj.tenant_id, fields=fields, actor=actor).pk
            return
        stored = Metadata.objects.for_tenant(obj.tenant_id).get(pk=obj.pk)  # live only: a deleted one is a 404
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
        expected = form.cleaned_data["expected_version"]
        metadata_update(metadata=stored, expected_version=expected, changes=changes, actor=actor)
        obj.version = stored.version

    @admin.display(description="revisions (newest first)")
    def revisions(self, metadata):
        """The resource's revisions, read-only: the write services alone write them."""
        if metadata.pk is None:
            return "-"
        rows = MetadataRevision.objects.for_tenant(metadata.tenant_id).filter(metadata_id=metadata.pk)
        lines = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.version,
                    r.operation,
                    ", ".join(r.changed),
                    f"{r.actor_type} {r.actor_uuid or ''} {r.actor_user}".strip(),
                    r.request_id,
                    r.created_at.isoformat(),
                )
                for r in rows.order_by("-version")
            ),
        )
        header = (
            "<tr><th>version</th><th>operation</th><th>changed</th><th>actor</th><th>request id</th><th>at</th></tr>"
        )
        return format_html("<table>{}{}</table>", mark_safe(header), lines)

    def delete_model(self, request, obj):
        """Deleting in the admin marks the resource deleted, as the API does (undelete brings it back)."""
        try:
            metadata_delete(metadata=obj, actor=actor_of_request(request))
        except NotFound:
            pass  # deleted meanwhile: what the editor asked for

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description="Undelete selected metadata resources", permissions=["change"])
    def undelete_selected(self, request, queryset):
        undeleted, refused = 0, []
        for obj in queryset:
            try:
                metadata_undelete(metadata=obj, actor=actor_of_request(request))
                undeleted += 1
            except (NotDeleted, SlugTaken, NotFound) as exc:
                refused.append(f"{obj.slug}: {exc.detail}")
        self.message_user(request, f"Undeleted {undeleted} resource(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"Not undeleted: {line}", messages.WARNING)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict as conflict:
            self.message_user(request, f"Not saved: {conflict.detail}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except serializers.ValidationError as refused:  # a data rule that changed after the form was checked
            lines = [f"{v['propertyPath']}: {v['message']}" for v in violations_from(refused.detail)]
            self.message_user(request, f"Not saved: {'; '.join(lines)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except (NotFound, Metadata.DoesNotExist):
            self.message_user(request, "Not saved: this resource is deleted; undelete it first.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
