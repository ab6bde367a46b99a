from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from linked_metadata.exceptions import InvalidLinkedMetadata, LinkedMetadataKeyExists, LinkedMetadataKeyNotFound
from linked_metadata.models import LinkedMetadata
from linked_metadata.rules import NOT_GIVEN, clean_linked_input
from linked_metadata.services import linked_metadata_create, linked_metadata_delete, linked_metadata_upsert
from tenants.identity import actor_of_request
from tenants.scoping import TenantScopedAdminMixin

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
class LinkedMetadataAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Account and account-user metadata of the GraphQL API; saves and deletes go through the services.

    Staff tied to a tenant see and edit only that tenant's rows.
    """

    form = LinkedMetadataAdminForm
    list_display = ("key", "linked_object_type", "identifier", "tenant", "version", "updated_at")
    list_filter = ("linked_object_type", ("tenant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("identifier", "key")
    readonly_fields = ("version", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        fixed_once_created = LINKED_KEY_FIELDS if obj is not None else ()
        return (*fixed_once_created, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        write = linked_metadata_upsert if change else linked_metadata_create
        stored = write(**self._key_of(obj), value=form.cleaned_data["value"], actor=actor_of_request(request))
        obj.pk, obj.version, obj.updated_at = stored.pk, stored.version, stored.updated_at

    def delete_model(self, request, obj):
        try:
            linked_metadata_delete(**self._key_of(obj), actor=actor_of_request(request))
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
