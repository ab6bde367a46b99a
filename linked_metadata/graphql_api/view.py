"""``/v1/graphql/``: graphene-django's view, answering every GraphQL error in Kraken's shape on HTTP 200."""

from contextlib import contextmanager

from django.db import connection, transaction
from django.http import HttpResponse
from graphene_django.constants import MUTATION_ERRORS_FLAG
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    OperationType,
    execute,
    get_operation_ast,
    specified_rules,
    validate,
    validate_schema,
)

from linked_metadata.graphql_api.errors import (
    BAD_REQUEST,
    INTERNAL_ERROR,
    INTERNAL_ERROR_DESCRIPTION,
    document_error,
    formatted_error,
    logger,
)
from linked_metadata.graphql_api.idempotency import is_keyed_mutation, run_once
from linked_metadata.graphql_api.limits import DocumentRefused, QueryDepthLimit, parse_within_limits, refusal_error
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
    # graphql-core's rules, then the depth limit (reported after them, on a document they accept).
    validation_rules = (*specified_rules, QueryDepthLimit)

    def dispatch(self, request, *args, **kwargs):
        self.graphiql = limits()["GRAPHIQL"]
        if is_keyed_mutation(request):  # Idempotency-Key: run once, answer the same again (idempotency.py)
            return run_once(request, lambda: super(KrakenGraphQLView, self).dispatch(request, *args, **kwargs))
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
        """Refuse what graphene-django would answer otherwise, then validate and execute as it does.

        A document is parsed within the limits and validated once (``checked_document``): parsing and
        validating took more than half of a mutation's time, and clients send the same few documents.
        """
        if not query:
            if show_graphiql:
                return None
            return failed(BAD_REQUEST, 'Send the GraphQL document as \'query\', e.g. {"query": "{ __typename }"}.')
        schema = self.schema.graphql_schema
        schema_errors = validate_schema(schema)  # graphql-core remembers its answer
        if schema_errors:
            return ExecutionResult(data=None, errors=schema_errors)
        try:
            document, validation_errors = checked_document(schema, query, self.validation_rules)
        except (DocumentRefused, GraphQLSyntaxError) as error:
            return ExecutionResult(data=None, errors=[refusal_error(error)])
        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation is not None and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            return failed(BAD_REQUEST, f"A {operation.operation.value} must be sent with POST.")
        if validation_errors:
            return ExecutionResult(data=None, errors=list(validation_errors))
        return self.execute_document(request, document, operation, variables, operation_name)

    def execute_document(self, request, document, operation, variables, operation_name):
        """graphene-django's execution of a valid document (its options, its atomic mutations)."""
        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
        }
        if self.execution_context_class:
            options["execution_context_class"] = self.execution_context_class
        try:
            if operation is not None and operation.operation == OperationType.MUTATION and atomic_mutations():
                with transaction.atomic():
                    result = execute(self.schema.graphql_schema, document, **options)
                    if getattr(request, MUTATION_ERRORS_FLAG, False) is True:
                        transaction.set_rollback(True)
                return result
            return execute(self.schema.graphql_schema, document, **options)
        except Exception as error:  # graphene-django's answer to a failure of execute() itself
            return ExecutionResult(errors=[error])  # type: ignore[list-item]  # format_error tells it apart

    @staticmethod
    def format_error(error):
        if isinstance(error, HttpError):  # the request itself: body, parameters, method
            error = document_error(BAD_REQUEST, error.message)
        elif not isinstance(error, GraphQLError):  # raised by execute() itself, not by a field: a bug
            logger.error("GraphQL execution failed", exc_info=(type(error), error, error.__traceback__))
            error = document_error(INTERNAL_ERROR, INTERNAL_ERROR_DESCRIPTION)
        return formatted_error(error)


def atomic_mutations():
    return graphene_settings.ATOMIC_MUTATIONS is True or connection.settings_dict.get("ATOMIC_MUTATIONS") is True


# (query, the limits it was checked under) → (document, validation errors): bounded, cleared when full.
_checked: dict[tuple, tuple] = {}
CHECKED_MAX = 500


def checked_document(schema, query, rules):
    """The document parsed within the limits and its validation errors, the same for the same query under
    the same limits (documents and errors are never changed by execution or formatting)."""
    settings = service_settings
    key = (
        query,
        settings["GRAPHQL_QUERY_MAX_CHARS"],
        settings["GRAPHQL_QUERY_MAX_TOKENS"],
        settings["GRAPHQL_QUERY_MAX_DEPTH"],
        graphene_settings.MAX_VALIDATION_ERRORS,
    )
    if key not in _checked:
        document = parse_within_limits(query)
        errors = tuple(validate(schema, document, rules, graphene_settings.MAX_VALIDATION_ERRORS))
        if len(_checked) >= CHECKED_MAX:
            _checked.clear()
        _checked[key] = document, errors
    return _checked[key]


def failed(kraken_code, description):
    return ExecutionResult(data=None, errors=[document_error(kraken_code, description)])
