from functools import cache

from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt


@cache
def _graphql_view():
    """The GraphQL view, imported on the first GraphQL request: graphene, graphql-core and graphene-django
    cost each worker about 10 MiB of memory (issue 12) that the REST routes never need."""
    from linked_metadata.graphql_api.view import KrakenGraphQLView

    return KrakenGraphQLView.as_view()


@csrf_exempt  # token-authenticated, no cookies: CSRF does not apply (GraphQL clients send no CSRF token)
def graphql_view(request, *args, **kwargs):
    return _graphql_view()(request, *args, **kwargs)


urlpatterns = [
    re_path(r"^v1/graphql/?$", graphql_view, name="graphql"),
]
