"""The metadata seed's own example requests, replayed: the service answers as the seed shows.

The seed lives in ../shared/seeds/ beside a development clone, not in the project; without it these
tests are skipped and say so.
"""

import json

import pytest

from tests.conftest import JSON
from tests.seeds import seed_file

SEED = seed_file("002_a4be23ec61f7fa24.txt")
GENERATED = {"id", "uuid", "createdAt", "updatedAt"}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SEED.exists(), reason=f"the seed {SEED} is not beside this clone"),
]


def seed_bodies():
    """Every JSON document that follows a 'Body:' line of the seed, in order."""
    text = SEED.read_text()
    decoder = json.JSONDecoder()
    bodies = []
    for chunk in text.split("Body:")[1:]:
        start = min((i for i in (chunk.find("{"), chunk.find("[")) if i >= 0), default=-1)
        if start >= 0 and not chunk[:start].strip():
            bodies.append(decoder.raw_decode(chunk[start:])[0])
    return bodies


@pytest.fixture(scope="module")
def seed():
    _list_response, _item_response, post_request, post_response, put_request, put_response = seed_bodies()
    return {"post": post_request, "post_response": post_response, "put": put_request, "put_response": put_response}


def without_generated(body):
    return {key: value for key, value in body.items() if key not in GENERATED}


def test_the_seed_post_example_creates_what_the_seed_shows(api, seed):
    response = api.post("/metadatas", seed["post"], format="json", **JSON)

    assert response.status_code == 201  # the seed shows 200; the contract fixes 201
    # history.md adds deletedAt (null while live) to the seed's fields.
    assert without_generated(response.json()) == {**without_generated(seed["post_response"]), "deletedAt": None}


def test_the_seed_put_example_updates_as_the_seed_shows(api, seed):
    created = api.post("/metadatas", seed["post"], format="json", **JSON).json()

    response = api.put(f"/metadatas/{created['uuid']}", seed["put"], format="json", **JSON)

    assert response.status_code == 200
    assert without_generated(response.json()) == {**without_generated(seed["put_response"]), "deletedAt": None}
    assert response.json()["version"] == 2
