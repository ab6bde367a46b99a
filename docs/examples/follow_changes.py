"""Follow one tenant's change feed on NATS JetStream with a durable consumer (what `publish_changes` sends).

    NATS_URL=nats://127.0.0.1:4222 python docs/examples/follow_changes.py <tenant uuid> [--durable NAME] [--count N]

The durable consumer (default name ``metadata-cache``) remembers, in the NATS server, which messages this
reader acknowledged: stopped and started again, it goes on after the last one. Delivery is at least once,
so the reader keeps the last ``seq`` it applied and skips anything at or below it (a redelivery). Each
message is the event JSON of GET /changes; the subject is ``metadata.<tenant>.<kind>.<operation>``.
Prints one line per event; with ``--count`` it stops after that many.
"""

import argparse
import asyncio
import json
import os

import nats
from nats.errors import TimeoutError as NoMessageYet


async def follow(tenant, durable, count):
    connection = await nats.connect(os.environ.get("NATS_URL", "nats://127.0.0.1:4222"))
    stream = os.environ.get("NATS_STREAM", "METADATA_CHANGES")
    subscription = await connection.jetstream().pull_subscribe(f"metadata.{tenant}.>", durable=durable, stream=stream)
    last_seq, seen = 0, 0
    try:
        while count is None or seen < count:
            try:
                messages = await subscription.fetch(batch=100, timeout=5)
            except NoMessageYet:
                continue
            for message in messages:
                event = json.loads(message.data)
                if event["seq"] > last_seq:  # apply it (here: print it), then remember how far we got
                    print(event["seq"], f"{event['kind']}.{event['operation']}", event.get("uuid") or event.get("key"))
                    last_seq, seen = event["seq"], seen + 1
                await message.ack()
    finally:
        await connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tenant")
    parser.add_argument("--durable", default="metadata-cache")
    parser.add_argument("--count", type=int)
    arguments = parser.parse_args()
    asyncio.run(follow(arguments.tenant, arguments.durable, arguments.count))
