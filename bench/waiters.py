"""1,000 long-poll readers of the change feed in one asyncio process: idle sockets cost it next to nothing,
so the load generator does not compete with the service for the 2 cores (bench/change_feed.py starts it).

Usage: python bench/waiters.py URL TOKEN COUNT AFTER
Each reader sends ``GET /changes?after=AFTER&wait=60`` on its own keep-alive connection and asks again when
a page comes back empty. On stdin ``go`` it records the wall-clock time at which each reader's first event
arrived, and prints one JSON line: the arrival times. It prints ``ready`` once every request is sent.
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


async def main(url, token, count, after):
    parts = urlsplit(url)
    request = (
        f"GET /changes?after={after}&wait=60 HTTP/1.1\r\nHost: {parts.hostname}\r\nAccept: application/json\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()
    arrivals = [None] * count
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(one_reader(parts.hostname, parts.port, request, arrivals, index)))
        if index % 50 == 49:
            await asyncio.sleep(0.05)  # a gentle ramp: the accept queue is not a benchmark
    print("ready", flush=True)
    await asyncio.wait(tasks, timeout=600)
    print(json.dumps({"arrivals": arrivals}), flush=True)


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
