"""The change feed in JSON-LD: a page is a ``hydra:Collection`` whose members are the events."""

COLLECTION_PATH = "/changes"
CONTEXT = {"hydra": "http://www.w3.org/ns/hydra/core#", "next": None, "head": None}


def page_document(page):
    """``{"events", "next", "head"}`` as Hydra: ``hydra:member`` holds the events; ``next`` and ``head`` stay."""
    return {
        "@context": CONTEXT,
        "@id": f"{COLLECTION_PATH}?after={page['next']}",
        "@type": "hydra:Collection",
        "hydra:totalItems": len(page["events"]),
        "hydra:member": page["events"],
        "next": page["next"],
        "head": page["head"],
    }
