from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from linked_metadata.graphql_api.view import KrakenGraphQLView

urlpatterns = [
    # Token-authenticated, no cookies: CSRF does not apply (GraphQL clients send no CSRF token).
    re_path(r"^v1/graphql/?$", csrf_exempt(KrakenGraphQLView.as_view()), name="graphql"),
]
