"""Filters and ordering of GET /metadatas, as query parameters in the spellings clients send.

Each exact filter takes one value or several: ``owner=A``, ``owner[]=A&owner[]=B`` or
``owner[0]=A&owner[1]=B``; values of one filter are OR'ed, filters are AND'ed. Tenant scoping
is not done here: the view's queryset is already the caller's tenant's.
"""

import re
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import F
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from metadata_service.conf import service_settings
from metadata_service.query_params import LIST_SPELLING, canonical_query
from metadatas.data_filters import data_filtered
from metadatas.field_copies import shallow_copy
from metadatas.keyset import MAX_BIGINT, in_utc
from metadatas.models import Metadata, fold_for_search, title_sort_key
from metadatas.title_search import title_contains

ORDER_PARAMETER = re.compile(r"^order\[(?P<field>[A-Za-z]+)\]$")
DATE_OPERATORS = {"before": "lte", "after": "gte", "strictly_before": "lt", "strictly_after": "gt"}


BOOLEAN_WORDS = {"true": True, "false": False}


def boolean_parameter(params, name):
    """A query parameter that is exactly ``true`` or ``false`` (absent: false); else a 400 naming it."""
    raw = params.get(name)
    if raw is None:
        return False
    if raw not in BOOLEAN_WORDS:
        raise ValidationError({name: ["Must be true or false."]})
    return BOOLEAN_WORDS[raw]


class CopiedShallow(dict):
    """Filters or form fields that django-filter and Django deep-copy for every request; a shallow copy
    of each is enough (they hold no per-request state beyond what is set on the copy) and is cheaper."""

    def __deepcopy__(self, memo):
        return {name: shallow_copy(item) for name, item in self.items()}


class MultipleValueField(forms.Field):
    """Every value of a repeated query parameter, each cleaned by ``child``; blanks are dropped."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, child, **kwargs):
        self.child = child
        super().__init__(**kwargs)

    def clean(self, value):
        values = [item for item in (value or []) if item != ""]
        most = service_settings.FILTER_VALUES_MAX
        if len(values) > most:
            raise forms.ValidationError(f"At most {most} values may be given.")
        return [self.child.clean(item) for item in values]


class AnyOfFilter(django_filters.Filter):
    """Matches rows whose field equals any of the given values (``lookup_expr="in"``)."""

    field_class = MultipleValueField

    def __init__(self, *, child, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(child=child, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": value})


class TitleContainsFilter(AnyOfFilter):
    """Matches rows whose title, in any locale, contains any of the values, ignoring case."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(reduce(or_, (title_contains(qs, fold_for_search(term)) for term in value)))


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date or date-time, converted to UTC; one that UTC cannot express is invalid.

    PostgreSQL refuses offsets beyond ±15:59 and offsets with seconds, which Python accepts
    (``+19:23``, ``+00:06:44.5``); in UTC every value reaches the database in one form.
    """

    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            return in_utc(moment)
        except ValueError:  # 0001-01-01T00:00+01:00 is before the year 1 in UTC
            raise forms.ValidationError("This date-time is out of range.", code="invalid") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    """A timestamp comparison whose value is compared in UTC."""

    field_class = UTCDateTimeField


def date_filters(parameter, field_name):
    """The four comparisons of one timestamp: ``createdAt[before]``, ``[after]``, ``[strictly_...]``."""
    return {
        f"{parameter}[{operator}]": UTCDateTimeFilter(field_name=field_name, lookup_expr=lookup)
        for operator, lookup in DATE_OPERATORS.items()
    }


class MetadataFilterSet(django_filters.FilterSet):
    """The filters of GET /metadatas; a malformed value is a 400 naming its parameter."""

    id = AnyOfFilter(field_name="id", child=forms.IntegerField(min_value=1, max_value=MAX_BIGINT))
    uuid = AnyOfFilter(field_name="uuid", child=forms.UUIDField())
    owner = AnyOfFilter(field_name="owner", child=forms.CharField(max_length=255, strip=False))
    ownerUuid = AnyOfFilter(field_name="owner_uuid", child=forms.UUIDField())
    slug = AnyOfFilter(field_name="slug", child=forms.CharField(max_length=255, strip=False))
    type = AnyOfFilter(field_name="type", child=forms.CharField(max_length=255, strip=False))
    title = TitleContainsFilter(field_name="title_search", child=forms.CharField(max_length=255))

    class Meta:
        model = Metadata
        fields: list[str] = []

    _form_classes: dict = {}

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        filters.update(date_filters("createdAt", "created_at"))
        filters.update(date_filters("updatedAt", "updated_at"))
        return CopiedShallow(filters)

    def get_form_class(self):
        """The form class, built once per FilterSet class (django-filter builds one per request)."""
        form_class = self._form_classes.get(type(self))
        if form_class is None:
            form_class = self._form_classes[type(self)] = super().get_form_class()
            form_class.base_fields = CopiedShallow(form_class.base_fields)
        return form_class


def filter_parameter(name):
    """Whether a query parameter names one of the filters, in any spelling (``type``, ``type[]``, ``type[0]``)."""
    match = LIST_SPELLING.fullmatch(name)
    return (match.group("name") if match else name) in MetadataFilterSet.base_filters


class MetadataFilterBackend(DjangoFilterBackend):
    """django-filter's backend, reading the three list spellings of each multi-value filter, and the
    ``data.<path>`` filters (``metadatas.data_filters``)."""

    def filter_queryset(self, request, queryset, view):
        queryset = data_filtered(queryset, request.query_params)
        if not any(filter_parameter(name) for name in request.query_params):
            return queryset  # no filter asked for: no FilterSet to build and validate
        return super().filter_queryset(request, queryset, view)

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        list_names = {name for name, f in MetadataFilterSet.base_filters.items() if isinstance(f, AnyOfFilter)}
        kwargs["data"] = canonical_query(request.query_params, list_names)
        return kwargs


class OrderParameterFilter(BaseFilterBackend):
    """``order[field]=asc|desc``, several applying in the order given; ``id`` breaks ties."""

    fields = {
        "id": "id",
        "createdAt": "created_at",
        "updatedAt": "updated_at",
        "owner": "owner",
        "title": None,  # the title in the default locale (TITLE_DEFAULT_LOCALE)
        "type": "type",
        "slug": "slug",
    }

    def filter_queryset(self, request, queryset, view):
        orderings = [
            self._ordering(match.group("field"), value, key)
            for key, value in request.query_params.items()
            if (match := ORDER_PARAMETER.fullmatch(key)) and match.group("field") in self.fields
        ]
        if not any(field == "id" for field, _, _ in orderings):
            last_direction = orderings[-1][1] if orderings else "asc"
            orderings.append(("id", last_direction, F("id").asc() if last_direction == "asc" else F("id").desc()))
        return queryset.order_by(*(expression for _, _, expression in orderings))

    def _ordering(self, field, direction, parameter):
        direction = direction.strip().lower()
        if direction not in ("asc", "desc"):
            raise ValidationError({parameter: ["Must be asc or desc."]})
        if field == "title":  # titles lacking the locale sort after the others, as if largest
            key = title_sort_key(service_settings.TITLE_DEFAULT_LOCALE)
            expression = key.asc(nulls_last=True) if direction == "asc" else key.desc(nulls_first=True)
        else:
            expression = F(self.fields[field]).asc() if direction == "asc" else F(self.fields[field]).desc()
        return field, direction, expression
