"""The Hydra entrypoint (``/``) and API documentation (``/docs.jsonld``) of the metadata API.

They are what API Platform serves, so that its Admin and client generator (``@api-platform/api-doc-parser``)
find the ``Metadata`` resource: the entrypoint names the collection, the documentation describes the
class, its properties (readable, writable, required) and its operations, and every JSON-LD response
points at the documentation with a ``Link`` header. The class and property IRIs are those the
resource's own context (``/contexts/Metadata``) gives its terms, so a document and its description agree.
"""

from metadata_service import renderers
from metadata_service.hydra_search import iri_template
from metadatas import jsonld
from metadatas.filters import AnyOfFilter, MetadataFilterSet, OrderParameterFilter
from metadatas.serializers import MetadataSerializer

HYDRA = "http://www.w3.org/ns/hydra/core#"
DOCS_PATH = "/docs.jsonld"
ENTRYPOINT_PATH = "/"
ENTRYPOINT_CONTEXT_PATH = "/contexts/Entrypoint"
DOCUMENTATION_REL = renderers.DOCUMENTATION_REL  # announced by metadata_service.renderers.JSONLDRenderer
VOCABULARY = f"{DOCS_PATH}#"  # terms of the entrypoint, as API Platform names them
CLASS_IRI = f"{jsonld.CONTEXT_DOCUMENT['@context']['@vocab']}{jsonld.RESOURCE_TYPE}"
CLASS_REF = {"@id": CLASS_IRI}
COLLECTION_TERM = "metadata"  # API Platform's entrypoint key: the resource's short name, first letter lower

ENTRYPOINT_DOCUMENT = {
    "@context": ENTRYPOINT_CONTEXT_PATH,
    "@id": ENTRYPOINT_PATH,
    "@type": "Entrypoint",
    COLLECTION_TERM: jsonld.COLLECTION_PATH,
}
ENTRYPOINT_CONTEXT = {
    "@context": {
        "@vocab": VOCABULARY,
        "hydra": HYDRA,
        COLLECTION_TERM: {"@id": f"Entrypoint/{COLLECTION_TERM}", "@type": "@id"},
    }
}
DOCUMENTATION_CONTEXT = {
    "@vocab": VOCABULARY,
    "hydra": HYDRA,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "schema": "https://schema.org/",
    "domain": {"@id": "rdfs:domain", "@type": "@id"},
    "range": {"@id": "rdfs:range", "@type": "@id"},
    "expects": {"@id": "hydra:expects", "@type": "@id"},
    "returns": {"@id": "hydra:returns", "@type": "@id"},
}


def property_range(term):
    """The RDF type of one field's values, read from its definition in the resource's context."""
    definition = jsonld.CONTEXT_DOCUMENT["@context"][term]
    if not isinstance(definition, dict):
        return "xsd:string"
    if definition.get("@container") == "@language":
        return "rdf:langString"
    value_type = definition.get("@type", "xsd:string")
    return "rdf:JSON" if value_type == "@json" else value_type


def supported_property(name, field, description):
    """One field of the resource: what it is, and whether a client reads, writes or must send it."""
    return {
        "@type": "hydra:SupportedProperty",
        "hydra:property": {
            "@id": f"{CLASS_IRI}/{name}",
            "@type": "rdf:Property",
            "rdfs:label": name,
            "domain": CLASS_IRI,
            "range": property_range(name),
        },
        "hydra:title": name,
        "hydra:description": description,
        "hydra:required": bool(field.required),
        "hydra:readable": not field.write_only,
        # The Hydra vocabulary's own spelling, and the one later drafts and parsers also read.
        "hydra:writeable": not field.read_only,
        "hydra:writable": not field.read_only,
    }


def operation(method, action, title, returns, expects=None):
    document = {
        "@type": ["hydra:Operation", f"schema:{action}"],
        "hydra:method": method,
        "hydra:title": title,
        "rdfs:label": title,
        "returns": returns,
    }
    return {**document, "expects": expects} if expects else document


ITEM_OPERATIONS = [
    operation("GET", "FindAction", "Read one resource", CLASS_IRI),
    operation("PUT", "ReplaceAction", "Change a resource (send its version)", CLASS_IRI, CLASS_IRI),
    operation("PATCH", "UpdateAction", "Merge-patch a resource (send its version)", CLASS_IRI, CLASS_IRI),
    operation("DELETE", "DeleteAction", "Delete a resource", "owl:Nothing"),
]
COLLECTION_OPERATIONS = [
    operation("GET", "FindAction", "List the tenant's resources", "hydra:Collection"),
    operation("POST", "CreateAction", "Create a resource", CLASS_IRI, CLASS_IRI),
]


def metadata_class(descriptions):
    """The ``Metadata`` class: every field of the serializer, and the operations on one resource."""
    fields = MetadataSerializer().get_fields()
    return {
        "@id": CLASS_IRI,
        "@type": "hydra:Class",
        "rdfs:label": jsonld.RESOURCE_TYPE,
        "hydra:title": jsonld.RESOURCE_TYPE,
        "hydra:description": (MetadataSerializer.__doc__ or "").split(";")[0],
        "hydra:supportedProperty": [
            supported_property(name, field, descriptions.get(name, "")) for name, field in fields.items()
        ],
        "hydra:supportedOperation": ITEM_OPERATIONS,
    }


def entrypoint_class():
    """The ``Entrypoint`` class: one link per collection, with the operations the collection offers."""
    collection = {
        "@id": f"#Entrypoint/{COLLECTION_TERM}",
        "@type": "hydra:Link",
        "rdfs:label": "The collection of Metadata resources",
        "domain": "#Entrypoint",
        "range": [
            {"@id": "hydra:Collection"},
            {"owl:equivalentClass": {"owl:onProperty": {"@id": "hydra:member"}, "owl:allValuesFrom": CLASS_REF}},
        ],
        "hydra:supportedOperation": COLLECTION_OPERATIONS,
    }
    return {
        "@id": "#Entrypoint",
        "@type": "hydra:Class",
        "hydra:title": "The API entrypoint",
        "hydra:supportedProperty": [
            {
                "@type": "hydra:SupportedProperty",
                "hydra:property": collection,
                "hydra:title": "The collection of Metadata resources",
                "hydra:readable": True,
                "hydra:writeable": False,
                "hydra:writable": False,
            }
        ],
        "hydra:supportedOperation": [operation("GET", "FindAction", "The API entrypoint", "#Entrypoint")],
    }


def api_documentation(*, title, description, field_descriptions):
    """``/docs.jsonld``: the ``hydra:ApiDocumentation`` of the API."""
    return {
        "@context": DOCUMENTATION_CONTEXT,
        "@id": DOCS_PATH,
        "@type": "hydra:ApiDocumentation",
        "hydra:title": title,
        "hydra:description": description,
        "hydra:entrypoint": {"@id": ENTRYPOINT_PATH},
        "hydra:supportedClass": [metadata_class(field_descriptions), entrypoint_class()],
    }


# --- hydra:search of the collection -----------------------------------------------------------------


def search_variables():
    """Every query parameter of GET /metadatas but ``data.<path>`` (a family, not one variable), in
    API Platform's spellings: each multi-value filter also as ``name[]``, the dates as ``createdAt[before]``."""
    for name, filter_ in MetadataFilterSet.base_filters.items():
        field = name.split("[")[0]
        yield name, field
        if isinstance(filter_, AnyOfFilter):
            yield f"{name}[]", field
    for field in OrderParameterFilter.fields:
        yield f"order[{field}]", field
    for name in ("deleted", "locale", "properties[]", "page", "limit", "cursor"):
        yield name, None


SEARCH = iri_template(jsonld.COLLECTION_PATH, search_variables())


def searchable_collection(items, total, view=None):
    """The resources' ``hydra:Collection`` (``jsonld.collection_document``) with its ``hydra:search``."""
    return {**jsonld.collection_document(items, total, view), "hydra:search": SEARCH}
