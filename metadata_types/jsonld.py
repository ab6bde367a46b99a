"""JSON-LD/Hydra documents for metadata types, in the shape of every resource's (``metadatas/jsonld.py``)."""

from urllib.parse import quote

from metadata_service.hydra_search import iri_template
from metadatas.jsonld import HydraDocuments, context_document

COLLECTION_PATH = "/metadata-types"
RESOURCE_TYPE = "MetadataType"
# The list takes no filter or page: only the rendering parameters.
SEARCH = iri_template(COLLECTION_PATH, [("locale", None), ("properties[]", None)])

CONTEXT_DOCUMENT = context_document(
    RESOURCE_TYPE,
    {
        "name": "MetadataType/name",
        "title": {"@id": "MetadataType/title", "@container": "@language"},
        "schema": {"@id": "MetadataType/schema", "@type": "@json"},
        "version": {"@id": "MetadataType/version", "@type": "xsd:integer"},
        "createdAt": {"@id": "MetadataType/createdAt", "@type": "xsd:dateTime"},
        "updatedAt": {"@id": "MetadataType/updatedAt", "@type": "xsd:dateTime"},
    },
)


def type_path(name):
    return f"{COLLECTION_PATH}/{quote(name, safe='')}"


def type_id(item):
    return type_path(item["name"])


TYPES = HydraDocuments(RESOURCE_TYPE, COLLECTION_PATH, type_id)
CONTEXT_PATH = TYPES.context_path
member = TYPES.member
item_document = TYPES.item_document


def collection_document(items):
    """Every type of the tenant, in one unpaginated collection, with its ``hydra:search``."""
    return {**TYPES.collection_document(items, len(items)), "hydra:search": SEARCH}
