"""A TCP proxy between the service and its database that a test can cut, take down and bring back."""

import socket
import threading

from tests.live_server import free_port

CHUNK = 65536


class FaultyProxy:
    """Forwards 127.0.0.1:``port`` to ``upstream``; ``cut()``, ``go_down()``, ``come_back()``, ``cut_on()``."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = free_port()
        self.pairs = set()
        self.lock = threading.Lock()
        self.trigger = None  # (pattern, forward_first, event) armed by cut_on()
        self.listener = None
        self.come_back()

    # --- faults ---------------------------------------------------------------------------

    def cut(self):
        """Drop every open connection, both ways, at once (the database seems to vanish)."""
        with self.lock:
            pairs, self.pairs = self.pairs, set()
        for pair in pairs:
            for sock in pair:
                _close(sock)

    def go_down(self):
        """Drop every connection and refuse new ones (the database is down)."""
        listener, self.listener = self.listener, None
        _close(listener)
        self.cut()

    def come_back(self):
        """Accept connections again, on the same port."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept_loop, args=(listener,), daemon=True).start()

    def cut_on(self, pattern, *, forward_first):
        """Cut everything when a client next sends bytes containing ``pattern``.

        With ``forward_first`` the bytes reach the database before the cut (so a COMMIT is applied
        but its answer never arrives); without, they never reach it. Returns an event set on the cut.
        """
        fired = threading.Event()
        self.trigger = (pattern, forward_first, fired)
        return fired

    def close(self):
        self.go_down()

    # --- forwarding -----------------------------------------------------------------------

    def _accept_loop(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed by go_down()
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self.lock:
                self.pairs.add((client, server))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source, target, from_client):
        while True:
            try:
                data = source.recv(CHUNK)
            except OSError:
                data = b""
            if not data:
                _close(source)
                _close(target)
                return
            if from_client and self._fires(data, source, target):
                return
            try:
                target.sendall(data)
            except OSError:
                return

    def _fires(self, data, source, target):
        trigger = self.trigger
        if trigger is None or trigger[0] not in data:
            return False
        pattern, forward_first, fired = trigger
        self.trigger = None
        if forward_first:
            target.sendall(data)
        self.cut()
        _close(source)
        _close(target)
        fired.set()
        return True


def _close(sock):
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
