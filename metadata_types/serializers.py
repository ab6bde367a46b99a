"""A metadata type on the wire: ``name``, ``title``, ``schema``, ``version`` and its dates."""

from rest_framework import serializers

from metadata_types.models import NAME_MAX_CHARS, MetadataType
from metadata_types.schemas import schema_problems
from metadatas.serializers import (
    MAX_VERSION,
    JSONDocumentField,
    StrictCharField,
    StrictIntegerField,
    TitleField,
    utc_seconds,
)


class TypeNameField(StrictCharField):
    """The resource ``type`` a definition governs; it is the path key, so it cannot hold ``/``."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "/" in value:
            raise serializers.ValidationError("Must not contain '/': the name is part of the type's address.")
        return value


class SchemaField(JSONDocumentField):
    """A JSON Schema (draft 2020-12) that refers only inside itself, at most 64 KiB."""

    def to_internal_value(self, data):
        problems = schema_problems(data)
        if problems:
            raise serializers.ValidationError(problems)
        return super().to_internal_value(data)


class OptionalTitleField(TitleField):
    """A type's title: as a resource's, or absent/null for none (stored as ``{}``)."""

    def validate_empty_values(self, data):
        if data is None:
            return True, {}
        return super().validate_empty_values(data)


# The fields of a type as the service answers it (``to_representation``), which ``properties[]=`` may select.
RESPONSE_FIELDS = ("name", "title", "schema", "version", "createdAt", "updatedAt")


class MetadataTypeSerializer(serializers.ModelSerializer):
    """A metadata type; ``name`` is fixed once created, ``version`` is the expected version on writes."""

    name = TypeNameField(max_length=NAME_MAX_CHARS)
    title = OptionalTitleField(required=False, allow_null=True)
    schema = SchemaField(required=False)
    version = StrictIntegerField(min_value=1, max_value=MAX_VERSION, required=False)

    class Meta:
        model = MetadataType
        fields = ["name", "title", "schema", "version"]
        validators: list = []  # a name's uniqueness in the tenant is the service's to check

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["name"].read_only = True  # the path key never changes
        return fields

    def to_representation(self, instance):
        return {
            "name": instance.name,
            "title": instance.title,
            "schema": instance.schema,
            "version": instance.version,
            "createdAt": utc_seconds(instance.created_at),
            "updatedAt": utc_seconds(instance.updated_at),
        }


class SchemaCheckSerializer(serializers.Serializer):
    """The body of the dry run: a candidate ``schema``."""

    schema = SchemaField()
