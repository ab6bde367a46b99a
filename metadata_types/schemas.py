"""JSON Schema 2020-12 for resource data: which schemas may be stored, compiled validators, violations.

A stored schema is compiled twice (``CompiledSchema``). ``jsonschema-rs`` decides whether a document
conforms: it compiles the schema to native code and answers in microseconds, where the ``jsonschema``
package interprets the schema anew on every document (a new validator object per subschema and value:
some 270 µs for bench/typed.py's 2 KiB document, against 5 µs; bench/RESULTS-types.md). Only a document
that fails is then explained by ``jsonschema``, whose messages are the clearer ones (``Additional
properties are not allowed ('z' was unexpected)`` where jsonschema-rs says ``False schema does not allow
1``); should it find nothing, jsonschema-rs's own errors are reported, so a refusal always names a place.

Neither resolves anything remote: a schema may only ``$ref`` places inside itself (checked when it is
stored), jsonschema-rs gets a retriever that refuses every URI, and ``jsonschema``'s ``referencing``
registry resolves nothing, so a reference that would need a look-up fails instead of fetching, ever.
"""

import threading
from collections import OrderedDict
from itertools import islice
from typing import Any

import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry
from referencing.exceptions import NoSuchResource, Unresolvable

SCHEMA_MAX_BYTES = 64 * 1024
DIALECT = "https://json-schema.org/draft/2020-12/schema"
REFERENCE_KEYWORDS = ("$ref", "$dynamicRef")
VIOLATIONS_MAX = 50  # per write: enough to fix a document, bounded for a huge one
VALIDATORS_CACHED_MAX = 1024


def _retrieve_nothing(uri: str):
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def _retrieve_nothing_natively(uri: str):
    raise LookupError(f"{uri} is not looked up: a schema may only refer inside itself")


NOTHING_REMOTE: Registry = Registry(retrieve=_retrieve_nothing)  # type: ignore[call-arg]


def escape_pointer_token(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(path) -> str:
    """An RFC 6901 JSON Pointer ("/providers/0") of a path of member names and indexes."""
    return "".join(f"/{escape_pointer_token(token)}" for token in path)


# --- Which schemas may be stored -------------------------------------------------------------------------------


def schema_problems(schema: Any) -> list[str]:
    """Why ``schema`` may not be stored: empty when it is a 2020-12 schema within the limits, referring inward."""
    if not isinstance(schema, (dict, bool)):
        return ["Must be a JSON Schema: an object (or true/false)."]
    size = len(orjson.dumps(schema))
    if size > SCHEMA_MAX_BYTES:
        return [f"Must be at most {SCHEMA_MAX_BYTES} bytes as JSON; this one is {size}."]
    if isinstance(schema, dict) and schema.get("$schema", DIALECT).rstrip("#") != DIALECT:
        return [f"Only draft 2020-12 is supported: $schema must be {DIALECT} or absent."]
    problems = list(_reference_problems(schema, schema, ()))
    if problems:
        return problems
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"At {pointer(exc.absolute_path) or '/'}: {exc.message}"]
    problem = CompiledSchema(schema).uncompilable
    return [problem] if problem else []


def _reference_problems(root: Any, node: Any, path: tuple):
    """References that leave the schema, or point nowhere inside it; nested ``$id`` (new base URIs) too."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _reference_problems(root, item, (*path, index))
        return
    if not isinstance(node, dict):
        return
    if path and "$id" in node:
        yield f"At {pointer(path)}: $id is allowed only at the top of the schema."
    for keyword in REFERENCE_KEYWORDS:
        target = node.get(keyword)
        if isinstance(target, str) and not _resolves_inside(root, target):
            yield f"At {pointer((*path, keyword))}: {target!r} must point inside this schema (#, #/..., #anchor)."
    for key, value in node.items():
        if key not in ("const", "enum", "examples", "default"):  # values, not subschemas
            yield from _reference_problems(root, value, (*path, key))


def _resolves_inside(root: Any, target: str) -> bool:
    if not target.startswith("#"):
        return False
    fragment = target[1:]
    if not fragment.startswith("/"):
        return fragment == "" or fragment.replace("-", "").replace("_", "").replace(".", "").isalnum()
    node = root
    for token in fragment[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


# --- Validators and their violations ---------------------------------------------------------------------------


class CompiledSchema:
    """A stored schema compiled by both validators: ``deciding`` (jsonschema-rs) says whether a document
    conforms, ``explaining`` (jsonschema) says where and why it does not.

    ``uncompilable`` says why jsonschema-rs could not compile it (a pattern it cannot read, an anchor that
    does not exist); the store-time check refuses such a schema, and one stored before it fails every write.
    """

    __slots__ = ("deciding", "explaining", "uncompilable")

    def __init__(self, schema: Any):
        self.explaining = Draft202012Validator(schema, registry=NOTHING_REMOTE)
        self.uncompilable: str | None = None
        self.deciding: jsonschema_rs.Draft202012Validator | None
        try:
            self.deciding = jsonschema_rs.Draft202012Validator(schema, retriever=_retrieve_nothing_natively)
        except (jsonschema_rs.ValidationError, ValueError) as exc:
            self.deciding = None
            self.uncompilable = f"The schema cannot be compiled: {str(exc).splitlines()[0]}"


def compiled(schema: Any) -> CompiledSchema:
    """The validators of a stored (already checked) schema, resolving references inside it only."""
    return CompiledSchema(schema)


class ValidatorCache:
    """Compiled schemas by key (tenant, name, row id, version), the least recently used dropped first."""

    def __init__(self, size: int = VALIDATORS_CACHED_MAX):
        self.size = size
        self._entries: OrderedDict[tuple, CompiledSchema] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, load_schema) -> CompiledSchema:
        with self._lock:
            validator = self._entries.get(key)
            if validator is not None:
                self._entries.move_to_end(key)
                return validator
        validator = compiled(load_schema())
        with self._lock:
            self._entries[key] = validator
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return validator

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


validators = ValidatorCache()


def data_violations(validator: CompiledSchema, data: Any, limit: int = VIOLATIONS_MAX) -> dict[str, list[str]]:
    """``{"data/<pointer>": [messages]}`` for each place of ``data`` that fails; empty when it conforms."""
    if validator.deciding is None:
        return {"data": [f"The type's {validator.uncompilable}"]}
    if validator.deciding.is_valid(data):
        return {}
    violations = explained(validator.explaining, data, limit)
    if not violations:  # the two disagree (a pattern read differently): jsonschema-rs's verdict stands
        for error in islice(validator.deciding.iter_errors(data), limit):
            violations.setdefault(f"data{pointer(error.instance_path)}", []).append(error.message)
    return dict(sorted(violations.items()))


def explained(validator: Draft202012Validator, data: Any, limit: int) -> dict[str, list[str]]:
    """jsonschema's violations of ``data``, by place."""
    violations: dict[str, list[str]] = {}
    try:
        for count, error in enumerate(validator.iter_errors(data)):
            if count >= limit:
                break
            violations.setdefault(f"data{pointer(error.absolute_path)}", []).append(error.message)
    except Unresolvable as exc:  # a reference into nowhere that the store-time check could not see (an anchor)
        violations.setdefault("data", []).append(f"The type's schema has a reference that does not resolve: {exc}")
    return violations


def first_violation(validator: CompiledSchema, data: Any) -> dict[str, str] | None:
    """The first failing place of ``data`` as ``{"propertyPath", "message"}``, or None when it conforms."""
    violations = data_violations(validator, data, limit=1)
    for path, messages in violations.items():
        return {"propertyPath": path, "message": messages[0]}
    return None
