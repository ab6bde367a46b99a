"""No hostile value is a 500: every claim, parameter, cursor or key that cannot be used is a 4xx naming it."""

import base64
import json
import time

import jwt
import pytest
from rest_framework.exceptions import ValidationError

from metadatas.serializers import FullMatchValidator, MetadataSerializer
from tests.conftest import JSON, TENANT_A, client_with, metadata_body

DEV_SECRET = "development-only-jwt-secret-do-not-use-in-production"
FAR_FUTURE = int(time.time()) + 3600


def encoded(document):
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def issued_cursor(api, order):
    link = api.get(f"/metadatas?order[{order}]=asc&cursor=&limit=1").json()["hydra:view"]["hydra:next"]
    token = link.split("cursor=")[1].split("&")[0]
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def assert_problem_naming(response, name, status=400):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = json.loads(response.content)  # valid JSON in valid UTF-8, whatever the client sent
    if status == 400:
        assert name in [violation["propertyPath"] for violation in body["violations"]]
    else:
        assert name in body["detail"]
    return body


# --- Cursors: the date guard of the filters, and storable text -----------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        "2020-01-01T00:00:00+19:23",  # PostgreSQL takes offsets up to ±15:59
        "2020-01-01T00:00:00+00:06:44.026033",  # and no seconds in them
        "2020-01-01T00:00:00-23:59",
    ],
)
def test_a_cursor_date_with_an_offset_postgresql_refuses_is_read_in_utc(api, make_metadata, moment):
    for _ in range(3):
        make_metadata()
    document = issued_cursor(api, "createdAt")
    document["v"][0] = moment

    response = api.get(f"/metadatas?order[createdAt]=asc&cursor={encoded(document)}&limit=1", **JSON)

    assert response.status_code == 200


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "0001-01-01T00:59:59+01:00"])
def test_a_cursor_date_utc_cannot_hold_is_a_400_naming_cursor(api, make_metadata, moment):
    for _ in range(3):
        make_metadata()
    document = issued_cursor(api, "createdAt")
    document["v"][0] = moment

    response = api.get(f"/metadatas?order[createdAt]=asc&cursor={encoded(document)}&limit=1", **JSON)

    assert_problem_naming(response, "cursor")


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "nul\x00"])
def test_a_cursor_title_with_unstorable_text_is_a_400_naming_cursor(api, make_metadata, text):
    for _ in range(3):
        make_metadata()
    document = issued_cursor(api, "title")
    document["v"][0] = text

    response = api.get(f"/metadatas?order[title]=asc&cursor={encoded(document)}&limit=1", **JSON)

    assert_problem_naming(response, "cursor")


# --- Keys of the body --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["\\ud800", "\\udfff", "en\\ud800"])
def test_a_title_locale_key_with_a_lone_surrogate_is_a_400_naming_title(api, locale):
    body = json.dumps(metadata_body(title={"en": "ok"})).replace('"en"', f'"{locale}"', 1)

    response = api.post("/metadatas", body, content_type="application/json", **JSON)

    assert response.status_code == 400
    assert json.loads(response.content)["violations"][0]["propertyPath"].startswith("title")


@pytest.mark.parametrize("locale", ["en\n", "en\r\n", "\nen", "en-US\n", "e n"])
def test_a_locale_key_is_matched_whole_not_up_to_a_final_newline(api, locale):
    response = api.post("/metadatas", metadata_body(title={locale: "Title"}), format="json", **JSON)

    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyPath"].startswith("title")


@pytest.mark.parametrize("slug", ["sign-in\n", "sign-in\r\n", "\nsign-in"])
def test_a_slug_is_matched_whole_not_up_to_a_final_newline(slug):
    validator = next(v for v in MetadataSerializer().fields["slug"].validators if isinstance(v, FullMatchValidator))

    with pytest.raises(ValidationError):
        validator(slug)


def test_a_slug_sent_with_a_final_newline_is_stored_without_it(api):
    response = api.post("/metadatas", metadata_body(slug="sign-in\n"), format="json", **JSON)

    assert (response.status_code, response.json()["slug"]) == (201, "sign-in")  # DRF trims the whitespace


def test_a_request_id_with_a_final_newline_is_replaced_not_echoed(api):
    response = api.get("/metadatas", HTTP_X_REQUEST_ID="abc\n", **JSON)

    assert response.status_code == 200
    assert response["X-Request-ID"] != "abc\n" and "\n" not in response["X-Request-ID"]


# --- Tokens: NumericDate claims and text claims --------------------------------------------------------------------


def signed(**claims):
    payload = {"tenant": str(TENANT_A), "identity": {"type": "System"}, "exp": FAR_FUTURE, **claims}
    return jwt.encode(payload, DEV_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "claim, value",
    [  # ids of their own: a value taken from the clock differs between xdist workers, which must collect alike
        pytest.param("exp", FAR_FUTURE * 1000, id="exp-in-milliseconds"),
        pytest.param("exp", str(FAR_FUTURE), id="exp-as-numeric-string"),
        pytest.param("exp", 253402300800, id="exp-in-year-10000"),
        pytest.param("exp", 10**20, id="exp-huge"),
        pytest.param("exp", True, id="exp-boolean"),
        pytest.param("nbf", str(int(time.time())), id="nbf-as-numeric-string"),
        pytest.param("nbf", 10**20, id="nbf-huge"),
        pytest.param("nbf", None, id="nbf-null"),
        pytest.param("iat", str(int(time.time())), id="iat-as-numeric-string"),
        pytest.param("iat", -(10**20), id="iat-hugely-negative"),
    ],
)
def test_a_signed_token_with_an_unusable_date_claim_is_a_401_naming_it(tenant, claim, value):
    response = client_with(signed(**{claim: value})).get("/metadatas", **JSON)

    assert_problem_naming(response, f"'{claim}'", status=401)


def test_a_token_with_a_fractional_exp_is_accepted(tenant):
    response = client_with(signed(exp=FAR_FUTURE + 0.5)).get("/metadatas", **JSON)

    assert response.status_code == 200


@pytest.mark.parametrize("text", ["admin\x00", "\ud800", "a\udbffb"])
@pytest.mark.parametrize(
    "name, claims",
    [
        ("identity.roles", lambda text: {"identity": {"type": "Staff", "roles": [text]}}),
        ("identity.uuid", lambda text: {"identity": {"type": "Staff", "uuid": text}}),
        ("permissions", lambda text: {"permissions": [text]}),
        ("email", lambda text: {"email": text}),
        ("accounts", lambda text: {"accounts": [text]}),
    ],
)
def test_a_text_claim_a_query_cannot_carry_is_a_401_naming_it(tenant, name, claims, text):
    response = client_with(signed(**claims(text))).get("/metadatas", **JSON)

    assert_problem_naming(response, f"'{name}'", status=401)


def test_a_role_with_a_lone_surrogate_is_refused_over_graphql_too(tenant):
    client = client_with(signed(identity={"type": "Staff", "roles": ["\ud800"]}), scheme="JWT")
    query = 'query { metadata(linkedObjectType: ACCOUNT, identifier: "A-1") { key } }'

    response = client.post("/v1/graphql/", {"query": query}, format="json")

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["errorCode"] == "KT-CT-1111"
