"""The Metadata resource on the wire: camelCase fields, UTC seconds, validated JSON documents."""

import re

from django.core.validators import RegexValidator
from rest_framework import serializers

from metadata_service.conf import service_settings
from metadata_service.json_policy import InvalidJSONDocument, check_json_document
from metadata_service.timestamps import utc_seconds
from metadatas.field_copies import shallow_copy
from metadatas.models import TITLE_MAX_CHARS, Metadata

SLUG_PATTERN = r"^[A-Za-z0-9._~-]+$"
LOCALE_PATTERN = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
MAX_VERSION = 2**63 - 1


class FullMatchValidator(RegexValidator):
    """A ``RegexValidator`` that matches the whole value: with ``search``, ``$`` also matches before a final newline."""

    def __call__(self, value):
        if not self.regex.fullmatch(str(value)):
            raise serializers.ValidationError(self.message, code=self.code)


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers and booleans instead of quietly turning them into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID that must be a JSON string: DRF would read ``false``, ``true`` or ``7`` as a UUID."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a UUID string.")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An integer that must be a JSON number (``3`` or ``3.0``, as JSON Schema has it): DRF would read ``"3"``."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise serializers.ValidationError("Must be an integer.")
        return super().to_internal_value(data)


class UTCSecondsDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC to the second, with a ``+00:00`` offset: ``2018-07-18T19:20:17+00:00``."""

    def to_representation(self, value):
        return utc_seconds(value)


class JSONDocumentField(serializers.JSONField):
    """A JSON value that storage keeps faithfully: bounded depth, no NUL, no lone surrogates."""

    def to_internal_value(self, data):
        try:
            check_json_document(data, service_settings.JSON_MAX_DEPTH)
        except InvalidJSONDocument as exc:
            raise serializers.ValidationError(f"The value {exc}.") from None
        return super().to_internal_value(data)


class DataField(JSONDocumentField):
    """The resource's payload: a JSON object or array, never a bare scalar."""

    def to_internal_value(self, data):
        if not isinstance(data, (dict, list)):
            raise serializers.ValidationError("Must be a JSON object or array.")
        return super().to_internal_value(data)


class TitleField(JSONDocumentField):
    """Locale code to a non-empty title, at least one entry: ``{"en": "OAuth Providers"}``."""

    def to_internal_value(self, data):
        if not isinstance(data, dict) or not data:
            raise serializers.ValidationError('Must be an object of locale code to title, like {"en": "..."}.')
        errors = {locale: self._title_errors(locale, text) for locale, text in data.items()}
        errors = {locale: problems for locale, problems in errors.items() if problems}
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    @staticmethod
    def _title_errors(locale, text):
        if not LOCALE_PATTERN.fullmatch(locale):
            return ["The key must be a locale code such as en, fr or pt-BR."]
        if not isinstance(text, str) or not text.strip():
            return ["Must be a non-empty string."]
        if len(text) > TITLE_MAX_CHARS:
            return [f"Must be at most {TITLE_MAX_CHARS} characters."]
        return []


class MetadataSerializer(serializers.ModelSerializer):
    """A metadata resource; ``uuid`` is writable on create only, ``version`` is the expected version."""

    createdAt = UTCSecondsDateTimeField(source="created_at", read_only=True)
    updatedAt = UTCSecondsDateTimeField(source="updated_at", read_only=True)
    owner = StrictCharField(max_length=255)
    uuid = StrictUUIDField(required=False)
    ownerUuid = StrictUUIDField(source="owner_uuid", allow_null=True, required=False)
    title = TitleField()
    slug = StrictCharField(
        max_length=255,
        validators=[FullMatchValidator(SLUG_PATTERN, "Use only letters, digits and . _ ~ - (1 to 255 characters).")],
    )
    type = StrictCharField(max_length=255)
    data = DataField(required=False)
    version = StrictIntegerField(min_value=1, max_value=MAX_VERSION, required=False)
    tenant = serializers.UUIDField(source="tenant_id", read_only=True)
    deletedAt = UTCSecondsDateTimeField(source="deleted_at", read_only=True, allow_null=True)

    class Meta:
        model = Metadata
        fields = [
            "id",
            "uuid",
            "createdAt",
            "updatedAt",
            "owner",
            "ownerUuid",
            "title",
            "slug",
            "type",
            "data",
            "version",
            "tenant",
            "deletedAt",
        ]
        read_only_fields = ["id"]
        validators: list = []  # uniqueness in the tenant is the database's to enforce (see services)

    # ModelSerializer's fields for a create (False) and for an update (True), built once: building them (a
    # deep copy of every declared field, the model's introspection) cost more than a write's statements.
    _built_fields: dict[bool, dict] = {}

    def get_fields(self):
        """Shallow copies of the fields built once: each serializer binds its own (name, parent, source), and
        nothing a field holds besides is changed after it is built."""
        updating = self.instance is not None
        built = self._built_fields.get(updating)
        if built is None:
            built = super().get_fields()
            if updating:
                built["uuid"].read_only = True  # a resource keeps its uuid
            self._built_fields[updating] = built
        return {name: shallow_copy(field) for name, field in built.items()}

    def to_representation(self, instance):
        """The fields above, written out directly: building the field objects cost more than the query.

        ``fields_representation`` is DRF's field-by-field way; a test holds the two equal.
        """
        return metadata_representation(instance)

    def fields_representation(self, instance):
        return super().to_representation(instance)


def metadata_representation(instance):
    """A resource on the wire (``MetadataSerializer``'s fields), written out directly."""
    owner_uuid = instance.owner_uuid
    return {
        "id": instance.id,
        "uuid": str(instance.uuid),
        "createdAt": utc_seconds(instance.created_at),
        "updatedAt": utc_seconds(instance.updated_at),
        "owner": instance.owner,
        "ownerUuid": None if owner_uuid is None else str(owner_uuid),
        "title": instance.title,
        "slug": instance.slug,
        "type": instance.type,
        "data": instance.data,
        "version": instance.version,
        "tenant": str(instance.tenant_id),
        "deletedAt": utc_seconds(instance.deleted_at),
    }


class VersionBodySerializer(serializers.Serializer):
    """A body that only names the version a change expects (undelete, restore); other fields are ignored."""

    version = StrictIntegerField(min_value=1, max_value=MAX_VERSION, required=False)
