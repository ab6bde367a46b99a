"""Rules a resource's ``data`` must pass before a write stores it, registered by the apps that govern it.

The write services (``metadatas.services``) call ``check_resource_data`` inside their transaction, so
every write path (REST, admin, batch, restore) is checked the same way. ``metadatas`` knows no rule
itself: an app that governs data (``metadata_types``) registers one when Django starts, so the
dependency points from the governing app to this one.
"""

import uuid
from collections.abc import Callable
from typing import Any

DataRule = Callable[..., None]
_rules: list[DataRule] = []


def register_data_rule(rule: DataRule) -> None:
    """Add ``rule(*, tenant_id, type, data)``; it raises a DRF ``ValidationError`` to refuse the write."""
    if rule not in _rules:
        _rules.append(rule)


def check_resource_data(*, tenant_id: uuid.UUID, type: str, data: Any) -> None:
    """Run every registered rule on the resource ``data`` that a write is about to store."""
    for rule in _rules:
        rule(tenant_id=tenant_id, type=type, data=data)
