"""Copies of the field objects that DRF and django-filter build once and copy for every request.

Both copy their declared fields per request (DRF's serializer fields, django-filter's filters and form
fields); none of those objects keeps per-request state that a copy sharing its attribute values would
leak, and ``copy.copy`` or ``copy.deepcopy`` took several times as long as the copy itself.
"""


def shallow_copy(field):
    """``copy.copy(field)`` without the copy protocol's look-ups (``__reduce_ex__``, ``copyreg``): what it
    makes of such a field (no ``__copy__``, ``__setstate__`` or slots) is this, a new instance of the class
    holding the same attributes."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone
