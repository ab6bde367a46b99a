"""An account user's email is stored and compared in one form, so no user reaches another's metadata."""

import pytest

from tests.conftest import TENANT_A
from tests.support.graphql_client import (
    CREATE,
    METADATA,
    UPDATE,
    error_code,
    graphql_client,
    metadata_input,
    run,
    the_error,
)

# Pairs that case folding makes equal but that are different addresses (lower case keeps them apart).
# Non-ASCII sits in the domain: Django's email validator takes only ASCII local parts.
FOLDING_PAIRS = [
    ("a@straße.com", "a@strasse.com"),
    ("a@STRAẞE.com", "a@strasse.com"),  # capital sharp s
    ("a@ſam.com", "a@sam.com"),  # long s
    ("a@ﬁnn.com", "a@finn.com"),  # ligature
    ("a@σοφος.gr", "a@σοφοσ.gr"),  # final sigma
]


def user_input(email, **overrides):
    return metadata_input(linkedObjectType="ACCOUNT_USER", identifier=email, **overrides)


@pytest.fixture
def system(tenant):
    return graphql_client(tenant.uuid)


def account_user(email):
    return graphql_client(TENANT_A, "AccountUser", email=email)


def keys_of(client, email):
    return run(client, METADATA, {"type": "ACCOUNT_USER", "identifier": email})


@pytest.mark.parametrize(("stored", "other"), FOLDING_PAIRS + [(b, a) for a, b in FOLDING_PAIRS])
def test_an_account_user_cannot_read_a_folding_twins_metadata(system, stored, other):
    assert "errors" not in run(system, CREATE, {"input": user_input(stored, key="secret")})

    answer = keys_of(account_user(other), stored)

    assert error_code(answer) == "KT-CT-4123"
    assert (answer.get("data") or {}).get("metadata") is None


@pytest.mark.parametrize(("stored", "other"), FOLDING_PAIRS)
def test_an_account_user_cannot_overwrite_a_folding_twins_metadata(system, stored, other):
    run(system, CREATE, {"input": user_input(stored, key="secret", value='"mine"')})

    answer = run(account_user(other), UPDATE, {"input": user_input(stored, key="secret", value='"theirs"')})

    assert error_code(answer) == "KT-CT-4123"
    assert keys_of(system, stored)["data"]["metadata"] == [{"key": "secret", "value": '"mine"'}]


@pytest.mark.parametrize(("stored", "other"), FOLDING_PAIRS)
def test_folding_twins_are_two_identifiers(system, stored, other):
    run(system, CREATE, {"input": user_input(stored, key="k", value='"first"')})
    run(system, CREATE, {"input": user_input(other, key="k", value='"second"')})

    assert keys_of(system, stored)["data"]["metadata"] == [{"key": "k", "value": '"first"'}]
    assert keys_of(system, other)["data"]["metadata"] == [{"key": "k", "value": '"second"'}]


@pytest.mark.parametrize(
    ("claimed", "asked"),
    [("Some.Test@Email.COM", "some.test@email.com"), ("a@zoë.com", "A@ZOË.COM"), ("a@İx.com", "a@i̇x.com")],
)
def test_an_account_user_reaches_its_own_email_in_any_case(tenant, claimed, asked):
    user = account_user(claimed)

    assert "errors" not in run(user, UPDATE, {"input": user_input(asked, key="own")})
    assert keys_of(user, claimed)["data"]["metadata"][0]["key"] == "own"


def test_an_email_that_grows_past_the_limit_in_lower_case_is_refused_naming_the_identifier(system):
    email = "a@" + ".".join(["İ" * 10] * 20) + ".com"  # 225 characters as sent, 425 in lower case

    answer = run(system, CREATE, {"input": user_input(email)})

    error = the_error(answer)
    assert error["errorCode"] == "MS-GQL-1001"
    assert [item["inputPath"] for item in error["validationErrors"]] == [["input", "identifier"]]


def test_an_email_of_254_characters_in_lower_case_is_stored(system):
    email = "a" * 242 + "@example.com"

    assert "errors" not in run(system, CREATE, {"input": user_input(email)})
