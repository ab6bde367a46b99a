"""The last OpenAPI postprocessing hook: schemas in the shapes code generators can turn into types.

Validators read JSON Schema the way it is written; generators (openapi-python-client,
openapi-typescript, API Platform's api-doc-parser) build a type per schema and give up, or build a
useless type, on some valid shapes. This hook rewrites those shapes everywhere in the document, so
that a route any module adds is covered without knowing about it:

- ``"type": ["object", "array"]`` becomes ``oneOf`` one schema per type: a list of types gives a
  generator nothing to build (``"null"`` stays, as an alternative);
- an object schema that says nothing of its keys gets ``additionalProperties: true`` (else it is typed
  as an object with no keys allowed), an array schema without ``items`` gets ``items: {}``;
- a JSON-LD keyword (``@id``, ``@type``, ``@context``) is described as an exact-name pattern property:
  generators name properties after their letters only, so ``@id`` and ``id`` would be one Python
  attribute and the whole schema is dropped. Validators check it just the same.
"""

import copy
import re

OPEN = {"object": {"additionalProperties": True}, "array": {"items": {}}}
SAYS_WHAT_KEYS = ("properties", "additionalProperties", "patternProperties", "allOf", "anyOf", "oneOf", "$ref")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMAS = ("items", "additionalProperties", "not", "propertyNames", "contains")


def shapes_for_generators(result, generator, request, public):
    """Postprocessing hook (runs last): every schema of the document in a shape generators can type."""
    result = copy.deepcopy(result)  # modules register schemas as constants; those stay as they are written
    for schema in result.get("components", {}).get("schemas", {}).values():
        reshape(schema)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for schema in operation_schemas(operation):
                reshape(schema)
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


def reshape(schema):
    """Rewrite ``schema`` in place, then every schema inside it (examples and constants are left alone)."""
    if not isinstance(schema, dict):
        return
    split_type_list(schema)
    open_empty_containers(schema)
    keywords_as_patterns(schema)
    for key in SUBSCHEMA_MAPS:
        for subschema in schema.get(key, {}).values():
            reshape(subschema)
    for key in SUBSCHEMA_LISTS:
        for subschema in schema.get(key, []):
            reshape(subschema)
    for key in SUBSCHEMAS:
        reshape(schema.get(key))


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


def keywords_as_patterns(schema):
    keywords = [name for name in schema.get("properties", {}) if name.startswith("@")]
    if not keywords:
        return
    patterns = schema.setdefault("patternProperties", {})
    for name in keywords:
        patterns[f"^{re.escape(name)}$"] = schema["properties"].pop(name)
    if not schema["properties"]:
        del schema["properties"]
