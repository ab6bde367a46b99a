"""Helpers of bench/change_feed.py that need Django: write N change feed events, or drop a JetStream stream.

Usage: python bench/write_events.py TENANT COUNT | --drop-stream NAME
"""

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metadata_service.settings")
import django  # noqa: E402

django.setup()


def write(tenant, count):
    from metadatas.services import metadata_create
    from tenants.identity import Actor

    actor = Actor(type="System", uuid=None, user=None, request_id=None)
    for number in range(count):
        fields = {
            "owner": "Bench",
            "title": {"en": "T"},
            "slug": f"bench-event-{os.getpid()}-{number}",
            "type": "bench",
        }
        metadata_create(tenant_id=tenant, fields={**fields, "data": {}}, actor=actor)


async def drop(stream):
    import nats

    connection = await nats.connect(os.environ["NATS_URL"])
    try:
        await connection.jetstream().delete_stream(stream)
    finally:
        await connection.close()


if __name__ == "__main__":
    if sys.argv[1] == "--drop-stream":
        asyncio.run(drop(sys.argv[2]))
    else:
        write(sys.argv[1], int(sys.argv[2]))
