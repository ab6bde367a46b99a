"""The last OpenAPI postprocessing hook: schemas in the shapes code generators can turn into types.

Validators read JSON Schema the way it is written; generators (openapi-python-client,
openapi-typescript, API Platform's api-doc-parser) build a type per schema and give up, or build a
useless type, on some valid shapes. This hook rewrites those shapes everywhere in the document, so
that a route any module adds is covered without knowing about it:

- ``"type": ["object", "array"]`` becomes ``oneOf`` one schema per type: a list of types gives a
  generator nothing to build (``"null"`` stays, as an alternative);
- an object schema that says nothing of its keys gets ``additionalProperties: true`` (else it is typed
  as an object with no keys allowed), an array schema without ``items`` gets ``items: {}``;
- a JSON-LD keyword that would clash with a field (``@id`` beside ``id``, ``@type`` beside ``type``,
  also through ``allOf``) is described as an exact-name pattern property: generators name properties
  after their letters only, so the two would be one Python attribute and the whole schema is dropped.
  Validators check it just the same; a keyword that clashes with nothing stays a property.
"""

import copy
import re
from collections import Counter

OPEN: dict[str, dict[str, object]] = {"object": {"additionalProperties": True}, "array": {"items": {}}}
SAYS_WHAT_KEYS = ("properties", "additionalProperties", "patternProperties", "allOf", "anyOf", "oneOf", "$ref")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMAS = ("items", "additionalProperties", "not", "propertyNames", "contains")


def shapes_for_generators(result, generator, request, public):
    """Postprocessing hook (runs last): every schema of the document in a shape generators can type."""
    result = copy.deepcopy(result)  # modules register schemas as constants; those stay as they are written
    components = result.get("components", {}).get("schemas", {})
    for schema in components.values():
        reshape(schema, components)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for schema in operation_schemas(operation):
                reshape(schema, components)
    return result


def operation_schemas(operation):
    """The top-level schemas of one operation: parameters, request body, response bodies and headers."""
    for parameter in operation.get("parameters", []):
        yield parameter.get("schema", {})
    for media_type in operation.get("requestBody", {}).get("content", {}).values():
        yield media_type.get("schema", {})
    for response in operation.get("responses", {}).values():
        for media_type in response.get("content", {}).values():
            yield media_type.get("schema", {})
        for header in response.get("headers", {}).values():
            yield header.get("schema", {})


def reshape(schema, components):
    """Rewrite ``schema`` in place, then every schema inside it (examples and constants are left alone)."""
    if not isinstance(schema, dict):
        return
    split_type_list(schema)
    open_empty_containers(schema)
    clashing_keywords_as_patterns(schema, components)
    for key in SUBSCHEMA_MAPS:
        for subschema in schema.get(key, {}).values():
            reshape(subschema, components)
    for key in SUBSCHEMA_LISTS:
        for subschema in schema.get(key, []):
            reshape(subschema, components)
    for key in SUBSCHEMAS:
        reshape(schema.get(key), components)


def split_type_list(schema):
    types = schema.get("type")
    if not isinstance(types, list) or len([name for name in types if name != "null"]) < 2:
        return
    del schema["type"]
    branches = [{"type": name, **OPEN.get(name, {})} for name in types]
    schema["oneOf"] = [*branches, *schema.get("oneOf", [])]


def open_empty_containers(schema):
    if schema.get("type") == "object" and not any(key in schema for key in SAYS_WHAT_KEYS):
        schema["additionalProperties"] = True
    if schema.get("type") == "array" and "items" not in schema and "prefixItems" not in schema:
        schema["items"] = {}


def identifier(name):
    """The attribute generators derive from a property name: its letters, digits and underscores."""
    return re.sub(r"\W", "", name).lower()


def merged_property_names(schema, components, seen=()):
    """The property names a generator merges into one model: the schema's own and its ``allOf`` members'."""
    reference = schema.get("$ref")
    if reference:
        if reference in seen:  # a schema made of itself: nothing more to merge
            return []
        schema, seen = components.get(reference.rsplit("/", 1)[-1], {}), (*seen, reference)
    names = list(schema.get("properties", {}))
    for member in schema.get("allOf", []):
        names += merged_property_names(member, components, seen)
    return names


def clashing_keywords_as_patterns(schema, components):
    taken = Counter(identifier(name) for name in merged_property_names(schema, components))
    for part in [schema, *[member for member in schema.get("allOf", []) if "$ref" not in member]]:
        properties = part.get("properties", {})
        clashing = [name for name in properties if name.startswith("@") and taken[identifier(name)] > 1]
        for name in clashing:
            part.setdefault("patternProperties", {})[f"^{re.escape(name)}$"] = properties.pop(name)
        if clashing and not properties:
            del part["properties"]
