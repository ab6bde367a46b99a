from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from metadatas.exceptions import VersionConflict
from metadatas.models import Metadata
from metadatas.services import metadata_create, metadata_update
from tenants.scoping import TenantScopedAdminMixin

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
class MetadataAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Metadata resources; saving goes through the same compare-and-swap as the API. Staff see their tenant's."""

    form = MetadataAdminForm
    list_display = ("slug", "type", "owner", "tenant", "version", "updated_at")
    list_filter = ("type", "owner", ("tenant", admin.RelatedOnlyFieldListFilter))
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
