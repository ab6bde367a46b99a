"""JSON-LD/Hydra documents for metadata resources (the API's default format), and the shape every
JSON-LD resource of the service shares (``HydraDocuments``, ``context_document``; ``metadata_types`` uses them)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

HYDRA = "http://www.w3.org/ns/hydra/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def context_path_of(resource_type: str) -> str:
    return f"/contexts/{resource_type}"


def context_document(resource_type: str, terms: dict[str, Any]) -> dict[str, Any]:
    """The JSON-LD context of a resource type: its own vocabulary, the Hydra and XSD prefixes, its terms."""
    return {
        "@context": {
            "@vocab": f"{context_path_of(resource_type)}#",
            "hydra": HYDRA,
            "xsd": XSD,
            resource_type: resource_type,
        }
        | terms
    }


@dataclass(frozen=True)
class HydraDocuments:
    """How one kind of resource is written in JSON-LD: a member of a collection (its fields with ``@id`` and
    ``@type``), an item on its own (the member with ``@context``) and a ``hydra:Collection``."""

    resource_type: str
    collection_path: str
    id_of: Callable[[dict], str]  # an item's ``@id``, from its fields

    @property
    def context_path(self) -> str:
        return context_path_of(self.resource_type)

    def member(self, item: dict) -> dict:
        return {"@id": self.id_of(item), "@type": self.resource_type, **item}

    def item_document(self, item: dict) -> dict:
        return {"@context": self.context_path, **self.member(item)}

    def collection_document(self, items: list, total: Any, view: dict | None = None) -> dict:
        """The collection of ``items``, with a ``hydra:PartialCollectionView`` when it is one page of several."""
        document = {
            "@context": self.context_path,
            "@id": self.collection_path,
            "@type": "hydra:Collection",
            "hydra:member": [self.member(item) for item in items],
            "hydra:totalItems": total,
        }
        if view:
            document["hydra:view"] = {"@type": "hydra:PartialCollectionView", **view}
        return document


COLLECTION_PATH = "/metadatas"
RESOURCE_TYPE = "Metadata"

CONTEXT_DOCUMENT = context_document(
    RESOURCE_TYPE,
    {
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
    },
)


def resource_path(uuid):
    return f"{COLLECTION_PATH}/{uuid}"


def resource_id(item):
    return resource_path(item["uuid"])


METADATA = HydraDocuments(RESOURCE_TYPE, COLLECTION_PATH, resource_id)
CONTEXT_PATH = METADATA.context_path
member = METADATA.member
item_document = METADATA.item_document
collection_document = METADATA.collection_document


# --- Revisions of a resource -------------------------------------------------------------------------

REVISION_TYPE = "MetadataRevision"

REVISION_CONTEXT_DOCUMENT = context_document(
    REVISION_TYPE,
    {
        "version": {"@id": "MetadataRevision/version", "@type": "xsd:integer"},
        "operation": "MetadataRevision/operation",
        "changed": {"@id": "MetadataRevision/changed", "@container": "@set"},
        "actor": {"@id": "MetadataRevision/actor", "@type": "@json"},
        "requestId": "MetadataRevision/requestId",
        "batchId": "MetadataRevision/batchId",
        "createdAt": {"@id": "MetadataRevision/createdAt", "@type": "xsd:dateTime"},
        "resource": {"@id": "MetadataRevision/resource", "@type": "@json"},
    },
)


def revisions_path(uuid):
    return f"{resource_path(uuid)}/revisions"


def revisions_of(uuid):
    """The documents of one resource's revisions (a revision's ``@id`` ends in its version)."""
    path = revisions_path(uuid)
    return HydraDocuments(REVISION_TYPE, path, lambda item: f"{path}/{item['version']}")


REVISION_CONTEXT_PATH = context_path_of(REVISION_TYPE)


def revision_document(uuid, item):
    return revisions_of(uuid).item_document(item)


def revision_collection(uuid):
    """A function building the ``hydra:Collection`` of one resource's revisions (as ``collection_document``)."""
    return revisions_of(uuid).collection_document
