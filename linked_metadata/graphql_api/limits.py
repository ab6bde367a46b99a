"""How deep a GraphQL document nests: its operations' fields, counted through fragments."""

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode


def document_depth(document):
    """The deepest chain of nested fields in any operation of a validated document (fragments known, acyclic).

    ``{ a { b } }`` is 2. Each fragment is measured once, so spreading fragments many times costs nothing.
    """
    fragments = {node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)}
    measured = {}

    def fragment_depth(name):
        if name not in measured:
            measured[name] = selection_depth(fragments[name].selection_set)
        return measured[name]

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
