"""Sign-in limits count per client address, the socket's unless trusted proxies are configured;
POST /tokens and the admin's sign-in share one budget; a token's rate is per token, not per spelling."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.conftest import JSON, client_with, token_for
from tests.test_rate_limits import rates

pytestmark = pytest.mark.django_db

ATTEMPT = {"username": "someone", "password": "guess"}


def proxies(count):
    from django.conf import settings

    return override_settings(METADATA_SERVICE={**settings.METADATA_SERVICE, "TRUSTED_PROXY_COUNT": count})


def token_attempt(**meta):
    return APIClient().post("/tokens", ATTEMPT, format="json", **JSON, **meta).status_code


def admin_attempt(**meta):
    return Client().post("/admin/login/?next=/admin/", ATTEMPT, **meta).status_code


# --- Which address is counted -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED", "HTTP_CLIENT_IP", "HTTP_TRUE_CLIENT_IP"]
)
def test_rotating_a_forwarding_header_does_not_bypass_the_limit(header):
    with rates(login="2/day"):
        statuses = [token_attempt(REMOTE_ADDR="10.0.0.9", **{header: f"203.0.113.{n}"}) for n in range(3)]

    assert statuses == [401, 401, 429]


def test_forging_a_victims_address_does_not_lock_the_victim_out():
    with rates(login="2/day"):
        for _ in range(3):
            token_attempt(REMOTE_ADDR="10.0.0.66", HTTP_X_FORWARDED_FOR="10.0.0.1")

        assert token_attempt(REMOTE_ADDR="10.0.0.1") == 401  # the victim still reaches the password check


def test_behind_one_trusted_proxy_the_address_it_appends_is_counted():
    with rates(login="1/day"), proxies(1):
        first = token_attempt(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
        same_client = token_attempt(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2, 203.0.113.7")
        other_client = token_attempt(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert (first, same_client, other_client) == (401, 429, 401)


def test_behind_two_trusted_proxies_the_second_address_from_the_right_is_counted():
    with rates(login="1/day"), proxies(2):
        token_attempt(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="forged, 203.0.113.7, 10.0.0.3")
        again = token_attempt(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="other-forgery, 203.0.113.7, 10.0.0.3")

    assert again == 429


def test_behind_a_trusted_proxy_a_request_without_the_header_counts_the_socket():
    with rates(login="1/day"), proxies(1):
        token_attempt(REMOTE_ADDR="10.0.0.4")

        assert token_attempt(REMOTE_ADDR="10.0.0.4") == 429


# --- The admin's sign-in --------------------------------------------------------------------------------------------


def test_the_admin_sign_in_is_limited_and_the_one_past_it_is_a_429_with_retry_after():
    with rates(login="3/day"):
        statuses = [admin_attempt(REMOTE_ADDR="10.0.1.1") for _ in range(3)]
        response = Client().post("/admin/login/", ATTEMPT, REMOTE_ADDR="10.0.1.1")

    assert statuses == [200, 200, 200]  # the form again, with its error
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_past_the_limit_the_right_admin_password_does_not_open_a_session():
    User.objects.create_superuser("root", "root@example.com", "right-password")
    client = Client()
    with rates(login="2/day"):
        for _ in range(2):
            client.post("/admin/login/", {"username": "root", "password": "wrong"}, REMOTE_ADDR="10.0.1.2")
        response = client.post(
            "/admin/login/", {"username": "root", "password": "right-password"}, REMOTE_ADDR="10.0.1.2"
        )

    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302  # still signed out


def test_tokens_and_the_admin_share_one_budget_per_address():
    with rates(login="2/day"):
        assert token_attempt(REMOTE_ADDR="10.0.1.3") == 401
        assert admin_attempt(REMOTE_ADDR="10.0.1.3") == 200

        assert token_attempt(REMOTE_ADDR="10.0.1.3") == 429
        assert admin_attempt(REMOTE_ADDR="10.0.1.3") == 429


def test_the_admin_sign_in_page_itself_is_not_counted():
    with rates(login="1/day"):
        pages = {Client().get("/admin/login/", REMOTE_ADDR="10.0.1.4").status_code for _ in range(3)}

    assert pages == {200}


def test_the_admin_sign_in_ignores_forwarding_headers_too():
    with rates(login="1/day"):
        admin_attempt(REMOTE_ADDR="10.0.1.5", HTTP_X_FORWARDED_FOR="203.0.113.1")

        assert admin_attempt(REMOTE_ADDR="10.0.1.5", HTTP_X_FORWARDED_FOR="203.0.113.2") == 429


# --- A token's budget is the token's, however it is spelled ---------------------------------------------------------


def spellings(token):
    """Texts that verify as the same token: base64 padding after the signature (PyJWT accepts one ``=``)."""
    return [token + "="]


def test_every_spelling_of_a_token_verifies(tenant):
    token = token_for(tenant.uuid)

    assert {client_with(s).get("/metadatas", **JSON).status_code for s in spellings(token)} == {200}


def test_a_token_spelled_otherwise_shares_the_tokens_budget(tenant):
    token = token_for(tenant.uuid)
    with rates(token="2/day"):
        assert client_with(token).get("/metadatas", **JSON).status_code == 200
        assert client_with(token).get("/metadatas", **JSON).status_code == 200

        statuses = {client_with(s).get("/metadatas", **JSON).status_code for s in spellings(token)}

    assert statuses == {429}


def test_two_tokens_with_different_claims_have_two_budgets(tenant):
    with rates(token="1/day"):
        first = client_with(token_for(tenant.uuid)).get("/metadatas", **JSON).status_code
        second = client_with(token_for(tenant.uuid)).get("/metadatas", **JSON).status_code

    assert (first, second) == (200, 200)
