"""Linked metadata under real concurrency: threads, their own connections, committed transactions."""

import json
from collections import Counter
from unittest import mock

import pytest

from linked_metadata import services
from linked_metadata.models import LinkedMetadata
from tests.support.concurrency import run_concurrently
from tests.support.graphql_client import CREATE, UPDATE, error_code, graphql_client, metadata_input, mutate, rows


def outcome(body):
    return error_code(body) if "errors" in body else "ok"


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_upserts_of_one_key_leave_one_row_at_version_twenty(tenant):
    def upsert(index):
        return outcome(mutate(graphql_client(tenant.uuid), UPDATE, **metadata_input(value=json.dumps(index))))

    assert run_concurrently(20, upsert) == Counter({"ok": 20})
    row = rows(tenant).get()
    assert row.version == 20
    assert row.value in range(20)


@pytest.mark.django_db(transaction=True)
def test_of_twenty_concurrent_creates_of_one_key_one_succeeds_and_nineteen_get_kt_ct_8414(tenant):
    def create(index):
        return outcome(mutate(graphql_client(tenant.uuid), CREATE, **metadata_input(value=json.dumps(index))))

    assert run_concurrently(20, create) == Counter({"ok": 1, "KT-CT-8414": 19})
    assert rows(tenant).get().version == 1


def another_writer_first(tenant, value):
    """Patch the services so that another writer stores the key after validation, just before our statement."""
    real_clean = services.clean_linked_input

    def clean_then_race(**given):
        cleaned = real_clean(**given)
        LinkedMetadata.objects.create(
            tenant=tenant, linked_object_type="ACCOUNT", identifier="A-154321", key="some_unique_key", value=value
        )
        return cleaned

    return mock.patch.object(services, "clean_linked_input", side_effect=clean_then_race)


@pytest.mark.django_db
def test_a_create_that_loses_the_race_is_kt_ct_8414_not_an_error(tenant):
    with another_writer_first(tenant, "theirs"):
        body = mutate(graphql_client(tenant.uuid), CREATE, **metadata_input())

    assert error_code(body) == "KT-CT-8414"
    assert rows(tenant).get().value == "theirs"


@pytest.mark.django_db
def test_an_upsert_that_meets_a_racing_create_replaces_its_value(tenant):
    with another_writer_first(tenant, "theirs"):
        body = mutate(graphql_client(tenant.uuid), UPDATE, **metadata_input(value='"ours"'))

    assert json.loads(body["data"]["updateMetadata"]["metadata"]["value"]) == "ours"
    assert (rows(tenant).get().value, rows(tenant).get().version) == ("ours", 2)
