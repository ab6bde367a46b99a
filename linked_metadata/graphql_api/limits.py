"""What a GraphQL document may be before it runs: its size, its tokens and how deep it nests.

The size and token limits are enforced while parsing (``parse_within_limits``) and the depth limit is a
graphql-core validation rule (``QueryDepthLimit``); each refusal is an exception or error of its own type,
so the view classifies it by type, never by the wording of a message.
"""

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    Source,
    ValidationRule,
)
from graphql.language import DocumentNode
from graphql.language.parser import Parser

from linked_metadata.graphql_api.errors import (
    QUERY_TOO_DEEP,
    QUERY_TOO_LARGE,
    SYNTAX_ERROR,
    KrakenCode,
    document_error,
)
from metadata_service.conf import service_settings


class DocumentRefused(Exception):
    """A document refused before it is parsed whole; ``kraken_code`` says why."""

    kraken_code: KrakenCode

    def __init__(self, description: str, source: Source | None = None, position: int | None = None):
        super().__init__(description)
        self.description, self.source = description, source
        self.positions = None if position is None else [position]


class QueryTooLarge(DocumentRefused):
    """The document is longer than ``GRAPHQL_QUERY_MAX_CHARS`` or has more than ``GRAPHQL_QUERY_MAX_TOKENS``."""

    kraken_code = QUERY_TOO_LARGE


class QueryTooDeep(DocumentRefused):
    """The document nests deeper than the parser can follow."""

    kraken_code = QUERY_TOO_DEEP


class LimitedParser(Parser):
    """graphql-core's parser, stopping at the first token over ``max_tokens`` (comments count too)."""

    def __init__(self, source, *, max_tokens):
        super().__init__(source)
        self.max_tokens = max_tokens

    def advance_lexer(self):
        super().advance_lexer()
        if self.token_count > self.max_tokens:
            token = self._lexer.token
            description = f"Document contains more than {self.max_tokens} tokens. Parsing aborted."
            raise QueryTooLarge(description, self._lexer.source, token.start)


def parse_within_limits(query: str) -> DocumentNode:
    """The parsed document; ``QueryTooLarge``, ``QueryTooDeep`` or ``GraphQLSyntaxError`` when it cannot be."""
    max_chars = service_settings["GRAPHQL_QUERY_MAX_CHARS"]
    if len(query) > max_chars:
        raise QueryTooLarge(f"The query is {len(query)} characters long; at most {max_chars} are allowed.")
    parser = LimitedParser(query, max_tokens=service_settings["GRAPHQL_QUERY_MAX_TOKENS"])
    try:
        return parser.parse_document()
    except RecursionError:
        pass  # raised outside the handler, so the error does not hold the recursion's frames
    lexer = parser._lexer  # graphql-core's own nested_too_deeply_error reads it the same way
    raise QueryTooDeep("Document is nested too deeply. Parsing aborted.", lexer.source, lexer.token.start)


def refusal_error(error: DocumentRefused | GraphQLSyntaxError) -> GraphQLError:
    """The Kraken error of a document that did not parse: refused by a limit, or not GraphQL."""
    if isinstance(error, DocumentRefused):
        return document_error(error.kraken_code, error.description, source=error.source, positions=error.positions)
    return document_error(SYNTAX_ERROR, error.message, source=error.source, positions=error.positions)


class QueryDepthLimit(ValidationRule):
    """Refuses a document whose operations nest fields deeper than ``GRAPHQL_QUERY_MAX_DEPTH``.

    Reported when the whole document has been seen, after the errors of graphql-core's own rules.
    """

    def leave_document(self, document, *_args):
        max_depth = service_settings["GRAPHQL_QUERY_MAX_DEPTH"]
        try:
            depth = document_depth(document)
        except RecursionError:
            depth = None
        if depth is None or depth > max_depth:
            self.report_error(document_error(QUERY_TOO_DEEP, f"The query nests fields deeper than {max_depth} levels."))


def document_depth(document):
    """The deepest chain of nested fields in any operation of a document, counted through fragments.

    ``{ a { b } }`` is 2. Each fragment is measured once, so spreading fragments many times costs nothing;
    an unknown or cyclic fragment counts nothing here (graphql-core's own rules report it).
    """
    fragments = {node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)}
    measured: dict[str, int] = {}

    def fragment_depth(name):
        if name not in measured and name in fragments:
            measured[name] = 0  # while it is being measured: a spread of it inside itself adds nothing
            measured[name] = selection_depth(fragments[name].selection_set)
        return measured.get(name, 0)

    def selection_depth(selection_set):
        deepest = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                depth = 1 + selection_depth(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                depth = fragment_depth(selection.name.value)
            else:  # an inline fragment
                depth = selection_depth(selection.selection_set)
            deepest = max(deepest, depth)
        return deepest

    operations = [node for node in document.definitions if node not in fragments.values()]
    return max((selection_depth(operation.selection_set) for operation in operations), default=0)
