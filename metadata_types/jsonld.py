"""JSON-LD/Hydra documents for metadata types."""

from urllib.parse import quote

from metadata_service.hydra_search import iri_template

CONTEXT_PATH = "/contexts/MetadataType"
COLLECTION_PATH = "/metadata-types"
RESOURCE_TYPE = "MetadataType"
# The list takes no filter or page: only the rendering parameters.
SEARCH = iri_template(COLLECTION_PATH, [("locale", None), ("properties[]", None)])

CONTEXT_DOCUMENT = {
    "@context": {
        "@vocab": "/contexts/MetadataType#",
        "hydra": "http://www.w3.org/ns/hydra/core#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "MetadataType": "MetadataType",
        "name": "MetadataType/name",
        "title": {"@id": "MetadataType/title", "@container": "@language"},
        "schema": {"@id": "MetadataType/schema", "@type": "@json"},
        "version": {"@id": "MetadataType/version", "@type": "xsd:integer"},
        "createdAt": {"@id": "MetadataType/createdAt", "@type": "xsd:dateTime"},
        "updatedAt": {"@id": "MetadataType/updatedAt", "@type": "xsd:dateTime"},
    }
}


def type_path(name):
    return f"{COLLECTION_PATH}/{quote(name, safe='')}"


def member(item):
    return {"@id": type_path(item["name"]), "@type": RESOURCE_TYPE, **item}


def item_document(item):
    return {"@context": CONTEXT_PATH, **member(item)}


def collection_document(items):
    return {
        "@context": CONTEXT_PATH,
        "@id": COLLECTION_PATH,
        "@type": "hydra:Collection",
        "hydra:member": [member(item) for item in items],
        "hydra:totalItems": len(items),
        "hydra:search": SEARCH,
    }
