import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from rest_framework import serializers

from metadata_service.conf import service_settings
from metadata_service.problems import violations_from
from metadatas.exceptions import VersionConflict
from metadatas.models import Metadata
from metadatas.serializers import MetadataSerializer
from metadatas.services import metadata_create, metadata_update
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
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected != self.instance.version:
            raise forms.ValidationError(
                f"Someone saved this resource (now version {self.instance.version}) since you opened it. "
                "Reload the page to edit the current version."
            )
        return cleaned


@admin.register(Metadata)
class MetadataAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Metadata resources; saving goes through the same compare-and-swap as the API. Staff see their tenant's."""

    form = MetadataAdminForm
    formfield_overrides = {models.JSONField: {"form_class": PrettyJSONField}}
    list_display = ("slug", "default_title", "type", "owner", "version", "updated_at", "tenant")
    list_filter = ("type", "owner", ("tenant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("slug", "title_search", "uuid")
    readonly_fields = ("version", "created_at", "updated_at")
    fieldsets = [
        (None, {"fields": ["tenant", "uuid", "slug", "type"]}),
        ("Owner", {"fields": ["owner", "owner_uuid"]}),
        ("Document (JSON)", {"fields": ["title", "data"]}),
        (
            "Version",
            {
                "fields": ["version", "created_at", "updated_at", "expected_version"],
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
        if not change:
            fields = {name: getattr(obj, name) for name in ["uuid", *EDITABLE_FIELDS]}
            obj.pk = metadata_create(tenant_id=obj.tenant_id, fields=fields).pk
            return
        stored = Metadata.objects.get(pk=obj.pk)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
        metadata_update(metadata=stored, expected_version=form.cleaned_data["expected_version"], changes=changes)
        obj.version = stored.version

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict as conflict:
            self.message_user(request, f"Not saved: {conflict.detail}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
