"""``data.<path>=value``: filters on what a resource's ``data`` holds, for GET /metadatas.

``data.settings.region=eu`` keeps resources whose ``data.settings.region`` is ``"eu"`` or an array holding
``"eu"``. A value also matches the JSON number, ``true``, ``false`` or ``null`` it spells (``3`` matches
``3`` and ``"3"``). Values of one path (``data.x[]=a&data.x[]=b``) are OR'ed, paths AND'ed.

On PostgreSQL each spelling is a jsonb containment (``data @> '{"settings": {"region": "eu"}}'``, and the
same with ``["eu"]``), which the GIN index ``metadata_tenant_data_gin`` (tenant_id, data jsonb_path_ops)
answers. SQLite has no such index: there the same test is written with its JSON functions.
"""

import json
import math
import re
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from rest_framework.exceptions import ValidationError

from metadata_service.conf import service_settings

PREFIX = "data."
LIST_SUFFIX = re.compile(r"\[\d*\]\Z")
JSON_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?\Z")
LITERALS = {"true": True, "false": False, "null": None}
FORBIDDEN_IN_NAMES = set(".[]=")


def is_data_parameter(name: str) -> bool:
    return name.startswith(PREFIX)


def spellings(text: str) -> list[Any]:
    """The JSON values a query value stands for: the string itself, and the number or literal it spells."""
    values: list[Any] = [text]
    if text in LITERALS:
        values.append(LITERALS[text])
    elif JSON_NUMBER.match(text):
        number = json.loads(text)
        if not (isinstance(number, float) and not math.isfinite(number)):
            values.append(number)
    return values


def requested_paths(params) -> dict[tuple[str, ...], list[str]]:
    """Each ``data.`` path asked for and its values (the three list spellings folded); 400 naming a bad one."""
    paths: dict[tuple[str, ...], list[str]] = {}
    for key, values in params.lists():
        if is_data_parameter(key):
            paths.setdefault(parse_path(key), []).extend(values)
    if len(paths) > service_settings.DATA_FILTER_PATHS_MAX:
        raise ValidationError({"data": [f"At most {service_settings.DATA_FILTER_PATHS_MAX} data. paths may be given."]})
    if sum(len(values) for values in paths.values()) > service_settings.FILTER_VALUES_MAX:
        raise ValidationError({"data": [f"At most {service_settings.FILTER_VALUES_MAX} data. values may be given."]})
    return paths


def parse_path(key: str) -> tuple[str, ...]:
    """``data.a.b``, ``data.a.b[]`` or ``data.a.b[0]`` → ``("a", "b")``; 400 on the parameter otherwise."""
    names = LIST_SUFFIX.sub("", key)[len(PREFIX) :].split(".")
    if any(not name or FORBIDDEN_IN_NAMES & set(name) for name in names):
        raise ValidationError(
            {key: ["A data. path is member names joined by '.', each non-empty and without '[', ']' or '='."]}
        )
    return tuple(names)


def data_condition(path: tuple[str, ...], values: list[str]) -> Q:
    """Rows whose ``data`` holds, at ``path``, one of the ``values`` in any spelling (or an array holding it)."""
    matches = [value for text in values for value in spellings(text)]
    if connection.vendor == "postgresql":
        return reduce(or_, (Q(data__contains=nested(path, form)) for value in matches for form in (value, [value])))
    return reduce(or_, (Q(sqlite_holds(path, value)) for value in matches))


def data_filtered(queryset, params):
    """``queryset`` narrowed by every ``data.`` parameter of ``params`` (unchanged when there is none)."""
    if not any(is_data_parameter(key) for key in params):
        return queryset
    paths = requested_paths(params)
    return queryset.filter(reduce(and_, (data_condition(path, values) for path, values in paths.items())))


def nested(path: tuple[str, ...], value: Any) -> Any:
    for name in reversed(path):
        value = {name: value}
    return value


# --- SQLite: the same test with json_type / json_each ------------------------------------------------------------

SQLITE_TYPES = {True: ("true",), False: ("false",), None: ("null",)}


def sqlite_holds(path: tuple[str, ...], value: Any) -> RawSQL:
    """``value`` at ``path``, or inside an array there, written with SQLite's JSON functions (no index)."""
    if any('"' in name for name in path):
        raise ValidationError({"data": ["On SQLite, data. member names cannot hold '\"'."]})
    json_path = "$" + "".join(f'."{name}"' for name in path)
    types: tuple[str, ...]
    if isinstance(value, str):
        types, compared = ("text",), value
    elif isinstance(value, bool) or value is None:
        types, compared = SQLITE_TYPES[value], None
    else:
        types, compared = ("integer", "real"), value
    type_list = ", ".join(f"'{name}'" for name in types)
    same = "" if compared is None else " AND {value} = %s"
    column = '"metadatas_metadata"."data"'
    sql = (
        f"((json_type({column}, %s) IN ({type_list}){same.format(value=f'json_extract({column}, %s)')}) "
        f"OR (json_type({column}, %s) = 'array' AND EXISTS (SELECT 1 FROM json_each({column}, %s) AS item "
        f"WHERE item.type IN ({type_list}){same.format(value='item.value')})))"
    )
    params = [json_path] + ([] if compared is None else [json_path, compared]) + [json_path, json_path]
    if compared is not None:
        params.append(compared)
    return RawSQL(sql, params, output_field=BooleanField())
