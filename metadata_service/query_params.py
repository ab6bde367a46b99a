"""The three spellings of a multi-value query parameter (contract rest.md): ``owner=A``, ``owner[]=A`` and
``owner[0]=A``, values OR'ed. The metadata list filters and the change feed's filters read them here."""

import re

from django.http import QueryDict

LIST_SPELLING = re.compile(r"^(?P<name>[A-Za-z]+)\[\d*\]$")


def canonical_query(params, list_names):
    """Fold ``x[]=`` and ``x[0]=`` into ``x`` for the multi-value filters; other parameters stay."""
    canonical = QueryDict(mutable=True)
    for key, values in params.lists():
        match = LIST_SPELLING.fullmatch(key)
        name = match.group("name") if match and match.group("name") in list_names else key
        canonical.setlist(name, canonical.getlist(name) + values)
    return canonical
