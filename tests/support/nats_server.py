"""A nats-server with JetStream of a test's own, on a free port, that the test may stop and start again."""

import asyncio
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import nats

from tests.support.gunicorn_launcher import free_port

NATS_SERVER = Path("/usr/sbin/nats-server")


def why_not_available():
    return None if NATS_SERVER.exists() else f"needs {NATS_SERVER} (Debian's nats-server)"


class NatsServer:
    """``nats-server -js`` on 127.0.0.1:<free port>, its store in a directory that outlives a restart."""

    def __init__(self):
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.store = tempfile.mkdtemp(prefix="test-nats-")
        self.process = None

    def start(self):
        command = [str(NATS_SERVER), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", self.store]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def messages(self, stream):
        """Every message of ``stream``: (subject, headers, parsed body), in stream order."""
        return asyncio.run(self._messages(stream))

    async def _messages(self, stream):
        import json

        connection = await nats.connect(self.url, connect_timeout=2)
        try:
            jetstream = connection.jetstream()
            try:
                state = (await jetstream.stream_info(stream)).state
            except nats.js.errors.NotFoundError:
                return []
            found = []
            for sequence in range(state.first_seq, state.last_seq + 1):
                message = await jetstream.get_msg(stream, sequence)
                found.append((message.subject, message.headers or {}, json.loads(message.data)))
            return found
        finally:
            await connection.close()


@contextmanager
def nats_server():
    server = NatsServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.store, ignore_errors=True)
