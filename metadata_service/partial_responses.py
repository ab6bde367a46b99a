"""Partial responses: ``properties[]=uuid&properties[]=title`` returns only those fields of each item.

API Platform's spelling: ``properties[]=a``, also ``properties=a`` and ``properties[0]=a``. A read that
names no property keeps its body untouched (one dictionary look-up more). A JSON-LD item or member keeps
``@id`` and ``@type`` (an item its ``@context`` too), a localized ``title`` its ``titleLocale``. The view's
mixin in this module knows nothing of the resources: the view says which names exist
(``partial_properties``), its JSON-LD renderer how an item becomes a document (``jsonld_document``).
"""

import re
from typing import TYPE_CHECKING, Any

from rest_framework.exceptions import ValidationError

if TYPE_CHECKING:  # what the mixin below is mixed into, for mypy only (at run time its base is object)
    from rest_framework.views import APIView as ViewBase
else:
    ViewBase = object

PARAMETER = "properties"
SPELLING = re.compile(r"^properties(?:\[\d*\])?$")
JSONLD_KEYS = ("@context", "@id", "@type")
COMPANIONS = {"title": ("titleLocale",)}  # a field that brings another along when it is selected


def requested_properties(params, known: tuple[str, ...]) -> set[str] | None:
    """The property names a read asks for, or None when it names none; 400 naming an unknown one."""
    names: list[str] = []
    for key, values in params.lists():
        if SPELLING.fullmatch(key):
            names += [value for value in values if value != ""]  # a blank one (an unfilled form) asks for nothing
        elif key.startswith(f"{PARAMETER}["):
            raise ValidationError({key: ["Only top-level properties can be selected: use properties[]=<name>."]})
    if not names:
        return None
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValidationError(
            {PARAMETER: [f"Unknown property {name!r}; use one of: {', '.join(known)}." for name in unknown]}
        )
    selected = set(names)
    for name in names:
        selected.update(COMPANIONS.get(name, ()))
    return selected


def selected_fields(item: dict, names: set[str]) -> dict:
    return {key: value for key, value in item.items() if key in names or key in JSONLD_KEYS}


def partial_body(data: Any, names: set[str]) -> Any:
    """The body with only ``names`` in each item: one item, a plain JSON list, or a Hydra collection."""
    if isinstance(data, list):
        return [selected_fields(item, names) if isinstance(item, dict) else item for item in data]
    if isinstance(data, dict) and isinstance(data.get("hydra:member"), list):
        return {**data, "hydra:member": partial_body(data["hydra:member"], names)}
    if isinstance(data, dict):
        return selected_fields(data, names)
    return data


class PartialResponsesMixin(ViewBase):
    """Views whose reads may return only some fields (``properties[]=``); ``partial_properties`` names them.

    The names are checked before anything is read (400 for an unknown one). JSON-LD bodies are made
    documents first (the renderer's ``jsonld_document``), so ``@id`` still comes from the whole item.
    """

    partial_properties: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reads = request.method in ("GET", "HEAD")
        self.selected_properties = (
            requested_properties(request.query_params, self.partial_properties) if reads else None
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        names = getattr(self, "selected_properties", None)
        if names is None or response.status_code >= 300 or response.data is None:
            return response
        data = response.data
        to_document = getattr(getattr(request, "accepted_renderer", None), "jsonld_document", None)
        if to_document is not None:
            data = to_document(data)
        response.data = partial_body(data, names)
        return response
