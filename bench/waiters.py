"""1,000 long-poll readers of the change feed in one asyncio process: idle sockets cost it next to nothing,
so the load generator does not compete with the service for the 2 cores (bench/change_feed.py starts it).

Usage: python bench/waiters.py URL TOKEN COUNT AFTER [long-poll|sse]
Long-poll: each reader sends ``GET /changes?after=AFTER&wait=60`` on its own keep-alive connection and asks
again when a page comes back empty. SSE: each reader opens ``GET /changes/stream`` (from head). It prints
``ready`` once every request is sent, then one JSON line: the wall-clock time at which each reader's first
event arrived.
"""

import asyncio
import json
import resource
import sys
import time
from urllib.parse import urlsplit


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    return head.split(b" ", 2)[1], await reader.readexactly(length)


async def one_reader(host, port, request, arrivals, index):
    reader, writer = await asyncio.open_connection(host, port)
    while True:
        writer.write(request)
        await writer.drain()
        status, body = await read_response(reader)
        if status == b"200" and json.loads(body)["events"]:
            arrivals[index] = time.time()
            writer.close()
            return


async def one_stream(host, port, request, arrivals, index):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request)
    await writer.drain()
    while not (await reader.readline()).startswith(b"data:"):  # headers, chunk sizes, retry, heartbeats
        pass
    arrivals[index] = time.time()
    writer.close()


async def main(url, token, count, after, mode):
    parts = urlsplit(url)
    path, accept = (f"/changes?after={after}&wait=60", "application/json")
    if mode == "sse":
        path, accept = "/changes/stream", "text/event-stream"
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}\r\nAccept: {accept}\r\nAuthorization: Bearer {token}\r\n\r\n"
    ).encode()
    reader = one_stream if mode == "sse" else one_reader
    arrivals = [None] * count
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(reader(parts.hostname, parts.port, request, arrivals, index)))
        if index % 50 == 49:
            await asyncio.sleep(0.05)  # a gentle ramp: the accept queue is not a benchmark
    print("ready", flush=True)
    await asyncio.wait(tasks, timeout=90)
    print(json.dumps({"arrivals": arrivals}), flush=True)


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    mode = sys.argv[5] if len(sys.argv) > 5 else "long-poll"
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), mode))
