"""The layering of docs/architecture.md, checked over the source: which package may import which.

The project package (``metadata_service``) depends on no app, ``tenants`` knows nothing of what tenants
store, and the two data apps do not reach into each other. Migrations are left out: they name what
history needs.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("metadata_service", "tenants", "changes", "idempotency", "metadatas", "metadata_types", "linked_metadata")
FORBIDDEN = {
    "metadata_service": {"tenants", "changes", "idempotency", "metadatas", "metadata_types", "linked_metadata"},
    "tenants": {"changes", "idempotency", "metadatas", "metadata_types", "linked_metadata"},
    # The feed is written by the data apps' write services: it knows none of them.
    "changes": {"idempotency", "metadatas", "metadata_types", "linked_metadata"},
    "idempotency": {"changes", "metadatas", "metadata_types", "linked_metadata"},
    "metadatas": {"metadata_types", "linked_metadata"},
    "metadata_types": {"linked_metadata"},
    "linked_metadata": {"metadatas", "metadata_types"},
}


def imported_packages(path):
    """The top-level packages a module imports, wherever in the module the import is."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def modules_of(package):
    return [path for path in sorted((ROOT / package).rglob("*.py")) if "migrations" not in path.parts]


@pytest.mark.parametrize("package", APPS)
def test_a_package_imports_none_of_the_packages_it_must_not_know(package):
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in modules_of(package)
        for imported, line in imported_packages(path)
        if imported in FORBIDDEN[package]
    ]
    assert offending == []


def test_the_check_sees_every_module_of_each_package():
    assert all(modules_of(package) for package in APPS)
