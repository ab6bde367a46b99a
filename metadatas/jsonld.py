"""JSON-LD/Hydra documents for metadata resources (the API's default format)."""

CONTEXT_PATH = "/contexts/Metadata"
COLLECTION_PATH = "/metadatas"
RESOURCE_TYPE = "Metadata"

CONTEXT_DOCUMENT = {
    "@context": {
        "@vocab": "/contexts/Metadata#",
        "hydra": "http://www.w3.org/ns/hydra/core#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "Metadata": "Metadata",
        "id": {"@id": "Metadata/id", "@type": "xsd:integer"},
        "uuid": "Metadata/uuid",
        "createdAt": {"@id": "Metadata/createdAt", "@type": "xsd:dateTime"},
        "updatedAt": {"@id": "Metadata/updatedAt", "@type": "xsd:dateTime"},
        "owner": "Metadata/owner",
        "ownerUuid": "Metadata/ownerUuid",
        "title": {"@id": "Metadata/title", "@container": "@language"},
        "slug": "Metadata/slug",
        "type": "Metadata/type",
        "data": {"@id": "Metadata/data", "@type": "@json"},
        "version": {"@id": "Metadata/version", "@type": "xsd:integer"},
        "tenant": "Metadata/tenant",
        "deletedAt": {"@id": "Metadata/deletedAt", "@type": "xsd:dateTime"},
    }
}


def resource_path(uuid):
    return f"{COLLECTION_PATH}/{uuid}"


def member(item):
    """A resource inside a collection: its fields plus ``@id`` and ``@type``."""
    return {"@id": resource_path(item["uuid"]), "@type": RESOURCE_TYPE, **item}


def item_document(item):
    """A resource on its own: the member plus ``@context``."""
    return {"@context": CONTEXT_PATH, **member(item)}


def collection_document(items, total, view=None):
    """A ``hydra:Collection`` of resources, with a ``hydra:PartialCollectionView`` when paginated."""
    document = {
        "@context": CONTEXT_PATH,
        "@id": COLLECTION_PATH,
        "@type": "hydra:Collection",
        "hydra:member": [member(item) for item in items],
        "hydra:totalItems": total,
    }
    if view:
        document["hydra:view"] = {"@type": "hydra:PartialCollectionView", **view}
    return document


# --- Revisions of a resource -------------------------------------------------------------------------

REVISION_CONTEXT_PATH = "/contexts/MetadataRevision"
REVISION_TYPE = "MetadataRevision"

REVISION_CONTEXT_DOCUMENT = {
    "@context": {
        "@vocab": "/contexts/MetadataRevision#",
        "hydra": "http://www.w3.org/ns/hydra/core#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "MetadataRevision": "MetadataRevision",
        "version": {"@id": "MetadataRevision/version", "@type": "xsd:integer"},
        "operation": "MetadataRevision/operation",
        "changed": {"@id": "MetadataRevision/changed", "@container": "@set"},
        "actor": {"@id": "MetadataRevision/actor", "@type": "@json"},
        "requestId": "MetadataRevision/requestId",
        "batchId": "MetadataRevision/batchId",
        "createdAt": {"@id": "MetadataRevision/createdAt", "@type": "xsd:dateTime"},
        "resource": {"@id": "MetadataRevision/resource", "@type": "@json"},
    }
}


def revisions_path(uuid):
    return f"{resource_path(uuid)}/revisions"


def revision_member(uuid, item):
    return {"@id": f"{revisions_path(uuid)}/{item['version']}", "@type": REVISION_TYPE, **item}


def revision_document(uuid, item):
    return {"@context": REVISION_CONTEXT_PATH, **revision_member(uuid, item)}


def revision_collection(uuid):
    """A function building the ``hydra:Collection`` of one resource's revisions (as ``collection_document``)."""

    def document(items, total, view=None):
        collection = {
            "@context": REVISION_CONTEXT_PATH,
            "@id": revisions_path(uuid),
            "@type": "hydra:Collection",
            "hydra:member": [revision_member(uuid, item) for item in items],
            "hydra:totalItems": total,
        }
        if view:
            collection["hydra:view"] = {"@type": "hydra:PartialCollectionView", **view}
        return collection

    return document
