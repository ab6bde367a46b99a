"""Every problem's detail is words a client can read, never a Python repr of the error."""

import jwt
import pytest
from rest_framework.test import APIClient

from tests.conftest import TENANT_A, token_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "refresh, words",
    [
        ("garbage", "The token is malformed."),
        ("a.b.c", "The token is malformed."),
        (5, "The token is malformed."),
        (jwt.encode({"exp": 1, "tenant": str(TENANT_A)}, "another-secret-of-32-bytes-at-least!!"), "signature"),
    ],
)
def test_a_wrong_refresh_token_is_a_401_in_words(refresh, words):
    response = APIClient().post("/tokens/refresh", {"refresh": refresh}, format="json")

    assert response.status_code == 401
    detail = response.json()["detail"]
    assert words in detail
    assert "ErrorDetail" not in detail and "{" not in detail


def test_an_access_token_sent_as_a_refresh_token_is_a_401_in_words(tenant):
    response = APIClient().post("/tokens/refresh", {"refresh": token_for(tenant.uuid)}, format="json")

    assert response.status_code == 401
    assert "ErrorDetail" not in response.json()["detail"]
