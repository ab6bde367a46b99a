"""JWT verification hardened: pinned algorithm, RS256/ES256 keys, iss/aud, nbf/iat/exp with leeway.

Every failure is a 401 problem document that says what is wrong and never echoes the token.
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.conftest import JSON, TENANT_A, TENANT_B, client_with, pem_pair

pytestmark = pytest.mark.django_db

DEV_SECRET = "development-only-jwt-secret-do-not-use-in-production"
LEEWAY = 30


@pytest.fixture(scope="module")
def rsa_pem():
    return pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="module")
def other_rsa_pem():
    return pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="module")
def ec_pem():
    return pem_pair(ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture(scope="module")
def other_ec_pem():
    return pem_pair(ec.generate_private_key(ec.SECP256R1()))


def verify_with(settings, **overrides):
    """Reconfigure verification (simplejwt rebuilds its settings when SIMPLE_JWT changes)."""
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, **overrides}


def claims(**overrides):
    now = int(time.time())
    values = {
        "tenant": str(TENANT_A),
        "identity": {"type": "System", "uuid": "703fb098-40df-486d-8e08-65d892b4c288", "roles": []},
        "permissions": [],
        "exp": now + 600,
        "iat": now,
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def b64(data):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hand_signed_hs256(payload, secret):
    """An HS256 token made without PyJWT, which refuses to use a PEM key as an HMAC secret."""
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(payload)}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def with_payload(token, payload):
    header, _, signature = token.split(".")
    return f"{header}.{b64(payload)}.{signature}"


def unsigned(payload):
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(payload)}."


def get_list(token):
    return client_with(token).get("/metadatas", **JSON)


def assert_rejected(response, token, detail_part):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.content.decode()
    assert all(part not in body for part in token.split(".") if part)  # neither the token nor any part of it
    assert detail_part in response.json()["detail"]


# --- The matrix: each failure case under HS256 (the default) --------------------------------------------------------

HS256_FAILURES = {
    "expired beyond the leeway": (
        lambda: jwt.encode(claims(exp=int(time.time()) - LEEWAY - 60), DEV_SECRET),
        "expired",
    ),
    "not valid before a time beyond the leeway": (
        lambda: jwt.encode(claims(nbf=int(time.time()) + LEEWAY + 60), DEV_SECRET),
        "not valid yet",
    ),
    "issued in the future beyond the leeway": (
        lambda: jwt.encode(claims(iat=int(time.time()) + LEEWAY + 60), DEV_SECRET),
        "not valid yet",
    ),
    "without exp": (lambda: jwt.encode(claims(exp=None), DEV_SECRET), "'exp'"),
    "signed with another secret": (
        lambda: jwt.encode(claims(), "another-secret-that-is-at-least-32-bytes-long"),
        "signature",
    ),
    "alg none, crafted by hand": (lambda: unsigned(claims()), "algorithm"),
    "HS384 with the right secret": (lambda: jwt.encode(claims(), DEV_SECRET, algorithm="HS384"), "algorithm"),
    "payload changed after signing": (
        lambda: with_payload(jwt.encode(claims(), DEV_SECRET), claims(tenant="x")),
        "signature",
    ),
    "missing tenant": (lambda: jwt.encode(claims(tenant=None), DEV_SECRET), "tenant"),
    "unknown tenant": (
        lambda: jwt.encode(claims(tenant="00000000-0000-4000-8000-000000000000"), DEV_SECRET),
        "not registered",
    ),
    "disabled tenant": (lambda: jwt.encode(claims(tenant=str(TENANT_B)), DEV_SECRET), "disabled"),
    "not a JWT": (lambda: "definitely-not-a-jwt", "malformed"),
    "exp that is not a number": (lambda: jwt.encode(claims(exp="tomorrow"), DEV_SECRET), "'exp' claim must be"),
}


@pytest.fixture
def disabled_other_tenant(other_tenant):
    other_tenant.enabled = False
    other_tenant.save()
    return other_tenant


@pytest.mark.parametrize("case", list(HS256_FAILURES), ids=list(HS256_FAILURES))
def test_each_hs256_failure_is_a_401_problem_that_names_it(tenant, disabled_other_tenant, case):
    make_token, detail_part = HS256_FAILURES[case]
    token = make_token()

    assert_rejected(get_list(token), token, detail_part)


@pytest.mark.parametrize("field", ["exp", "nbf", "iat"])
def test_clock_skew_within_the_leeway_is_accepted(tenant, field):
    skew = LEEWAY // 2
    when = int(time.time()) + (-skew if field == "exp" else skew)

    response = get_list(jwt.encode(claims(**{field: when}), DEV_SECRET))

    assert response.status_code == 200


def test_the_leeway_is_a_setting(tenant, settings):
    verify_with(settings, LEEWAY=0)
    token = jwt.encode(claims(nbf=int(time.time()) + 10), DEV_SECRET)

    assert_rejected(get_list(token), token, "not valid yet")


# --- Issuer and audience ---------------------------------------------------------------------------------------------


@pytest.fixture
def issuer_and_audience(settings):
    verify_with(settings, ISSUER="https://auth.example.com", AUDIENCE="metadata-service")


def test_a_token_with_the_configured_issuer_and_audience_is_accepted(tenant, issuer_and_audience):
    token = jwt.encode(claims(iss="https://auth.example.com", aud="metadata-service"), DEV_SECRET)

    assert get_list(token).status_code == 200


@pytest.mark.parametrize(
    "overrides, detail_part",
    [
        ({"iss": "https://evil.example.com", "aud": "metadata-service"}, "issuer"),
        ({"aud": "metadata-service"}, "'iss'"),
        ({"iss": "https://auth.example.com", "aud": "another-service"}, "audience"),
        ({"iss": "https://auth.example.com"}, "'aud'"),
    ],
    ids=["wrong iss", "missing iss", "wrong aud", "missing aud"],
)
def test_a_wrong_or_missing_issuer_or_audience_is_a_401(tenant, issuer_and_audience, overrides, detail_part):
    token = jwt.encode(claims(**overrides), DEV_SECRET)

    assert_rejected(get_list(token), token, detail_part)


def test_issuer_and_audience_are_not_checked_when_unset(tenant):
    token = jwt.encode(claims(iss="https://anyone.example.com", aud="anything"), DEV_SECRET)

    assert get_list(token).status_code == 200


# --- RS256 and ES256 with PEM keys -----------------------------------------------------------------------------------


@pytest.fixture
def rs256(settings, rsa_pem):
    verify_with(settings, ALGORITHM="RS256", SIGNING_KEY=rsa_pem[0], VERIFYING_KEY=rsa_pem[1])
    return rsa_pem


@pytest.fixture
def es256(settings, ec_pem):
    verify_with(settings, ALGORITHM="ES256", SIGNING_KEY=ec_pem[0], VERIFYING_KEY=ec_pem[1])
    return ec_pem


def test_an_rs256_token_verifies_with_the_public_key(tenant, rs256):
    assert get_list(jwt.encode(claims(), rs256[0], algorithm="RS256")).status_code == 200


def test_an_es256_token_verifies_with_the_public_key(tenant, es256):
    assert get_list(jwt.encode(claims(), es256[0], algorithm="ES256")).status_code == 200


def test_hs256_signed_with_the_rs256_public_key_is_a_401(tenant, rs256):
    token = hand_signed_hs256(claims(), rs256[1])  # the classic HS/RS key-confusion attack

    assert_rejected(get_list(token), token, "algorithm")


def test_an_hs256_token_is_a_401_when_rs256_is_configured(tenant, rs256):
    token = jwt.encode(claims(), DEV_SECRET)

    assert_rejected(get_list(token), token, "algorithm")


def test_an_rs256_token_is_a_401_when_hs256_is_configured(tenant, rsa_pem):
    token = jwt.encode(claims(), rsa_pem[0], algorithm="RS256")

    assert_rejected(get_list(token), token, "algorithm")


def test_an_rs256_token_signed_with_another_key_is_a_401(tenant, rs256, other_rsa_pem):
    token = jwt.encode(claims(), other_rsa_pem[0], algorithm="RS256")

    assert_rejected(get_list(token), token, "signature")


def test_an_es256_token_signed_with_another_key_is_a_401(tenant, es256, other_ec_pem):
    token = jwt.encode(claims(), other_ec_pem[0], algorithm="ES256")

    assert_rejected(get_list(token), token, "signature")


def test_an_rs256_token_is_a_401_when_es256_is_configured(tenant, es256, rsa_pem):
    token = jwt.encode(claims(), rsa_pem[0], algorithm="RS256")

    assert_rejected(get_list(token), token, "algorithm")


def test_alg_none_is_a_401_when_rs256_is_configured(tenant, rs256):
    token = unsigned(claims())

    assert_rejected(get_list(token), token, "algorithm")


# --- Keys are checked when the service starts ------------------------------------------------------------------------


def start_with(**env):
    """Load the settings in a fresh interpreter, as the service does when it starts."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "metadata_service.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_a_public_key_kept_on_one_line_with_escaped_newlines_is_accepted(rsa_pem):
    result = start_with(JWT_ALGORITHM="RS256", JWT_PUBLIC_KEY=rsa_pem[1].replace("\n", "\\n"))

    assert result.returncode == 0, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "env",
    [
        {"JWT_ALGORITHM": "RS256", "JWT_PUBLIC_KEY": "not a key"},
        {"JWT_ALGORITHM": "ES256", "JWT_PUBLIC_KEY": "RSA"},
        {"JWT_ALGORITHM": "RS256", "JWT_PUBLIC_KEY": "RSA", "JWT_PRIVATE_KEY": "EC"},
    ],
    ids=["garbage", "RSA key for ES256", "EC private key for RS256"],
)
def test_a_key_that_does_not_fit_stops_the_service_naming_the_setting(rsa_pem, ec_pem, env):
    keys = {"RSA": rsa_pem[1], "EC": ec_pem[0]}
    result = start_with(**{name: keys.get(value, value) for name, value in env.items()})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert ("JWT_PRIVATE_KEY" if "JWT_PRIVATE_KEY" in env else "JWT_PUBLIC_KEY") in result.stderr
