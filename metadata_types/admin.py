"""Admin pages of metadata types and of each tenant's type policy; saving goes through the services."""

import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from rest_framework.exceptions import ValidationError

from metadata_service.problems import violations_from
from metadata_types.exceptions import SchemaIncompatible, TypeInUse
from metadata_types.models import MetadataType, TypePolicy
from metadata_types.schemas import schema_problems
from metadata_types.services import metadata_type_create, metadata_type_delete, metadata_type_update
from metadatas.admin import PrettyJSONField
from metadatas.exceptions import VersionConflict
from tenants.scoping import TenantScopedAdminMixin


class MetadataTypeAdminForm(forms.ModelForm):
    """A type, its schema checked as the API checks it, and the version the editor opened."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    force = forms.BooleanField(
        required=False, help_text="Store the schema even though stored resources of this type fail it."
    )

    class Meta:
        model = MetadataType
        fields = ["tenant", "name", "title", "schema"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean_schema(self):
        schema = self.cleaned_data["schema"]
        for problem in schema_problems(schema):
            self.add_error("schema", problem)
        return schema

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("expected_version") != self.instance.version:
            raise forms.ValidationError(
                f"Someone saved this type (now version {self.instance.version}) since you opened it. Reload the page."
            )
        return cleaned


@admin.register(MetadataType)
class MetadataTypeAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Metadata types of the staff user's tenant; a schema change is checked against the stored resources."""

    form = MetadataTypeAdminForm
    formfield_overrides = {models.JSONField: {"form_class": PrettyJSONField}}
    list_display = ("name", "version", "updated_at", "tenant")
    list_filter = (("tenant", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name",)
    readonly_fields = ("version", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "tenant", "name") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        force = form.cleaned_data.get("force", False)
        if not change:
            fields = {"name": obj.name, "title": obj.title or {}, "schema": obj.schema}
            obj.pk = metadata_type_create(tenant_id=obj.tenant_id, fields=fields, force=force).pk
            return
        stored = MetadataType.objects.get(pk=obj.pk)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in ("title", "schema")}
        expected = form.cleaned_data["expected_version"]
        metadata_type_update(metadata_type=stored, expected_version=expected, changes=changes, force=force)
        obj.version = stored.version

    def delete_model(self, request, obj):
        metadata_type_delete(metadata_type=obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (VersionConflict, SchemaIncompatible, ValidationError) as refused:
            self.message_user(request, f"Not saved: {refusal_text(refused)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except TypeInUse as refused:
            self.message_user(request, f"Not deleted: {refused.detail}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def refusal_text(refused):
    if isinstance(refused, ValidationError):
        return "; ".join(f"{v['propertyPath']}: {v['message']}" for v in violations_from(refused.detail))
    examples = getattr(refused, "problem_extensions", {}).get("examples", [])
    return f"{refused.detail} {json.dumps(examples[:3])}" if examples else str(refused.detail)


@admin.register(TypePolicy)
class TypePolicyAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Each tenant's ``require_defined_types`` (off for a tenant without a row)."""

    list_display = ("tenant", "require_defined_types")
    list_filter = ("require_defined_types",)

    def get_readonly_fields(self, request, obj=None):
        return ("tenant",) if obj is not None else ()
