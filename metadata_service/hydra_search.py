"""``hydra:search``: the query parameters of a JSON-LD collection as a Hydra ``IriTemplate``.

API Platform writes one on every collection, so that Hydra clients (its Admin, api-doc-parser) learn the
filters without the OpenAPI document: ``hydra:template`` is the path with every variable
(``/metadatas{?id,id[],…,page,limit}``), and each variable has a ``hydra:mapping`` entry naming the property
it filters on (null for those that filter no property, such as ``page``).
"""

from collections.abc import Iterable


def iri_template(path: str, variables: Iterable[tuple[str, str | None]]) -> dict:
    """The ``hydra:IriTemplate`` of ``path`` with ``(variable, property)`` pairs, all optional."""
    variables = list(variables)
    return {
        "@type": "hydra:IriTemplate",
        "hydra:template": f"{path}{{?{','.join(variable for variable, _ in variables)}}}",
        "hydra:variableRepresentation": "BasicRepresentation",
        "hydra:mapping": [
            {"@type": "IriTemplateMapping", "variable": variable, "property": prop, "required": False}
            for variable, prop in variables
        ],
    }
