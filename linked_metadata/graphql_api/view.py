"""``/v1/graphql/``: graphene-django's view, answering every GraphQL error in Kraken's shape on HTTP 200."""

from contextlib import contextmanager

from django.http import HttpResponse
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast, parse, validate

from linked_metadata.graphql_api.errors import (
    BAD_REQUEST,
    INTERNAL_ERROR,
    INTERNAL_ERROR_DESCRIPTION,
    QUERY_TOO_DEEP,
    QUERY_TOO_LARGE,
    SYNTAX_ERROR,
    document_error,
    formatted_error,
    logger,
)
from linked_metadata.graphql_api.limits import document_depth
from metadata_service.conf import service_settings


@contextmanager
def bad_request_answered_with_200():
    """graphene-django answers a malformed body with a 400; the contract wants a GraphQL error on a 200."""
    try:
        yield
    except HttpError as exc:
        if exc.response.status_code != 400:
            raise
        raise HttpError(HttpResponse(status=200), exc.message) from None


def limits():
    return service_settings


class KrakenGraphQLView(GraphQLView):
    """Runs the schema of ``linked_metadata.graphql_api.schema`` for ``POST`` (and query-only ``GET``).

    Before a query runs it must be a JSON request of the right types, parse within
    ``GRAPHQL_QUERY_MAX_CHARS``/``GRAPHQL_QUERY_MAX_TOKENS``, validate against the schema and nest at
    most ``GRAPHQL_QUERY_MAX_DEPTH`` fields deep. Tokens are checked per field (``access.caller``), so
    introspection needs none. A browser's ``GET`` gets GraphiQL when ``METADATA_SERVICE["GRAPHIQL"]`` is on,
    its assets served from the service's own static files (the page works offline).
    """

    graphiql_template = "linked_metadata/graphiql.html"

    def dispatch(self, request, *args, **kwargs):
        self.graphiql = limits()["GRAPHIQL"]
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request):
        with bad_request_answered_with_200():
            return super().parse_body(request)

    @staticmethod
    def get_graphql_params(request, data):
        with bad_request_answered_with_200():
            query, variables, operation_name, id_ = GraphQLView.get_graphql_params(request, data)
        for name, value, expected in (
            ("query", query, str),
            ("variables", variables, dict),
            ("operationName", operation_name, str),
        ):
            if value is not None and not isinstance(value, expected):
                kind = "a JSON object" if expected is dict else "a string"
                raise HttpError(HttpResponse(status=200), f"'{name}' must be {kind}.")
        return query, variables, operation_name, id_

    def get_response(self, request, data, show_graphiql=False):
        query, variables, operation_name, _ = self.get_graphql_params(request, data)
        result = self.execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        if result is None:
            return None, 200
        response = {}
        if result.errors:
            response["errors"] = [self.format_error(error) for error in result.errors]
        if result.data is not None or not result.errors:
            response["data"] = result.data
        return self.json_encode(request, response, pretty=show_graphiql), 200

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query:
            if show_graphiql:
                return None
            return failed(BAD_REQUEST, 'Send the GraphQL document as \'query\', e.g. {"query": "{ __typename }"}.')
        document = parsed_document(query)
        if isinstance(document, ExecutionResult):
            return document
        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation is not None and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            return failed(BAD_REQUEST, f"A {operation.operation.value} must be sent with POST.")
        problems = self.checked_document(document)
        if problems:
            return ExecutionResult(data=None, errors=problems)
        try:
            return execute(
                self.schema.graphql_schema,
                document,
                root_value=self.get_root_value(request),
                context_value=self.get_context(request),
                variable_values=variables,
                operation_name=operation_name,
                middleware=self.get_middleware(request),
            )
        except Exception:  # graphql-core reports field errors in the result; this would be a bug
            logger.exception("GraphQL execution failed")
            return failed(INTERNAL_ERROR, INTERNAL_ERROR_DESCRIPTION)

    def checked_document(self, document):
        """Schema validation errors, or a depth error; none for a document that may run."""
        errors = validate(self.schema.graphql_schema, document, max_errors=limits()["GRAPHQL_QUERY_MAX_TOKENS"])
        if errors:
            return errors
        max_depth = limits()["GRAPHQL_QUERY_MAX_DEPTH"]
        try:
            depth = document_depth(document)
        except RecursionError:
            depth = None
        if depth is None or depth > max_depth:
            return [document_error(QUERY_TOO_DEEP, f"The query nests fields deeper than {max_depth} levels.")]
        return []

    @staticmethod
    def format_error(error):
        if isinstance(error, HttpError):  # the request itself: body, parameters, method
            error = document_error(BAD_REQUEST, error.message)
        return formatted_error(error)


def failed(kraken_code, description):
    return ExecutionResult(data=None, errors=[document_error(kraken_code, description)])


def parsed_document(query):
    """The parsed document, or a failed result: too large, too deeply nested, or not GraphQL."""
    max_chars, max_tokens = limits()["GRAPHQL_QUERY_MAX_CHARS"], limits()["GRAPHQL_QUERY_MAX_TOKENS"]
    if len(query) > max_chars:
        return failed(QUERY_TOO_LARGE, f"The query is {len(query)} characters long; at most {max_chars} are allowed.")
    try:
        return parse(query, max_lexical_tokens=max_tokens, max_comments=max_tokens)
    except GraphQLError as error:
        if "nested too deeply" in error.message:
            kraken_code = QUERY_TOO_DEEP
        elif "Parsing aborted" in error.message:
            kraken_code = QUERY_TOO_LARGE
        else:
            kraken_code = SYNTAX_ERROR
        failure = document_error(kraken_code, error.message, source=error.source, positions=error.positions)
        return ExecutionResult(data=None, errors=[failure])
