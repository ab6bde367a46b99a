"""Rules a resource's ``data`` must pass before a write stores it, registered by the apps that govern it.

The write services (``metadatas.services``) call ``check_resource_data`` inside their transaction, so
every write path (REST, admin, batch, restore) is checked the same way. ``metadatas`` knows no rule
itself: an app that governs data (``metadata_types``) registers one when Django starts, so the
dependency points from the governing app to this one.
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

DataRule = Callable[..., None]
_rules: list[DataRule] = []
_memo: ContextVar[dict | None] = ContextVar("data_rule_memo", default=None)


@contextmanager
def rules_may_remember() -> Iterator[None]:
    """Inside one transaction (a batch): rules may keep what they read, since the locks they take hold to its
    end, so a batch of a hundred resources of one type reads the type once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def rule_memo() -> dict | None:
    """The memo of the current ``rules_may_remember`` block, or None outside one (remember nothing)."""
    return _memo.get()


def register_data_rule(rule: DataRule) -> None:
    """Add ``rule(*, tenant_id, type, data)``; it raises a DRF ``ValidationError`` to refuse the write."""
    if rule not in _rules:
        _rules.append(rule)


def check_resource_data(*, tenant_id: uuid.UUID, type: str, data: Any) -> None:
    """Run every registered rule on the resource ``data`` that a write is about to store."""
    for rule in _rules:
        rule(tenant_id=tenant_id, type=type, data=data)
