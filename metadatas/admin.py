from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from metadatas.exceptions import (
    InvalidLinkedMetadata,
    LinkedMetadataKeyExists,
    LinkedMetadataKeyNotFound,
    VersionConflict,
)
from metadatas.linked_rules import NOT_GIVEN, clean_linked_input
from metadatas.models import LinkedMetadata, Metadata
from metadatas.services import (
    linked_metadata_create,
    linked_metadata_delete,
    linked_metadata_upsert,
    metadata_create,
    metadata_update,
)

EDITABLE_FIELDS = ["owner", "owner_uuid", "title", "slug", "type", "data"]


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

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected != self.instance.version:
            raise forms.ValidationError(
                f"Someone saved this resource (now version {self.instance.version}) since you opened it. "
                "Reload the page to edit the current version."
            )
        return cleaned


@admin.register(Metadata)
class MetadataAdmin(admin.ModelAdmin):
    """Metadata resources; saving goes through the same compare-and-swap as the API."""

    form = MetadataAdminForm
    list_display = ("slug", "type", "owner", "tenant", "version", "updated_at")
    list_filter = ("type", "owner", "tenant")
    search_fields = ("slug", "title_search", "uuid")
    readonly_fields = ("version", "created_at", "updated_at")

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


LINKED_KEY_FIELDS = ("tenant", "linked_object_type", "identifier", "key")


class LinkedMetadataAdminForm(forms.ModelForm):
    """Checks the same rules as GraphQL (identifier by object type, key, value size and content)."""

    class Meta:
        model = LinkedMetadata
        fields = [*LINKED_KEY_FIELDS, "value"]

    def clean(self):
        cleaned = super().clean()
        given = {name: cleaned.get(name, getattr(self.instance, name, None)) for name in LINKED_KEY_FIELDS}
        try:
            clean = clean_linked_input(
                linked_object_type=given["linked_object_type"],
                identifier=given["identifier"],
                key=given["key"],
                value=cleaned["value"] if "value" in cleaned else NOT_GIVEN,
            )
        except InvalidLinkedMetadata as exc:
            for field, messages in exc.detail.items():
                self.add_error(field if field in self.fields else None, [str(message) for message in messages])
            return cleaned
        if "identifier" in self.fields:
            cleaned["identifier"] = clean.identifier  # an email is stored in lower case
        return cleaned


@admin.register(LinkedMetadata)
class LinkedMetadataAdmin(admin.ModelAdmin):
    """Account and account-user metadata of the GraphQL API; saves and deletes go through the services."""

    form = LinkedMetadataAdminForm
    list_display = ("key", "linked_object_type", "identifier", "tenant", "version", "updated_at")
    list_filter = ("linked_object_type", "tenant")
    search_fields = ("identifier", "key")
    readonly_fields = ("version", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        fixed_once_created = LINKED_KEY_FIELDS if obj is not None else ()
        return (*fixed_once_created, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        write = linked_metadata_upsert if change else linked_metadata_create
        stored = write(**self._key_of(obj), value=form.cleaned_data["value"])
        obj.pk, obj.version, obj.updated_at = stored.pk, stored.version, stored.updated_at

    def delete_model(self, request, obj):
        try:
            linked_metadata_delete(**self._key_of(obj))
        except LinkedMetadataKeyNotFound:
            pass  # deleted meanwhile: what the editor asked for

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @staticmethod
    def _key_of(obj):
        return {
            "tenant_id": obj.tenant_id,
            "linked_object_type": obj.linked_object_type,
            "identifier": obj.identifier,
            "key": obj.key,
        }

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except LinkedMetadataKeyExists:  # another writer added the key since the form was checked
            self.message_user(request, "Not saved: this key was added meanwhile; edit that row.", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
