"""A TCP proxy between the service and its database that a test can cut, take down and bring back."""

import socket
import struct
import threading

CHUNK = 65536


class FaultyProxy:
    """Forwards 127.0.0.1:``port`` to ``upstream``; ``cut()``, ``go_down()``, ``come_back()``, ``cut_on()``."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.pairs = set()
        self.lock = threading.Lock()
        self.trigger = None  # (pattern, forward_first, event) armed by cut_on()
        self.muted = set()  # client sockets that must receive nothing more (their cut is under way)
        self.down = False
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()

    # --- faults ---------------------------------------------------------------------------

    def cut(self):
        """Drop every open connection, both ways, at once (the database seems to vanish)."""
        with self.lock:
            pairs, self.pairs = self.pairs, set()
        for pair in pairs:
            for sock in pair:
                _close(sock)

    def go_down(self):
        """Drop every connection and reset new ones as they arrive (the database is down).

        The port stays bound (a refused port could be taken by another process before it comes back).
        """
        self.down = True
        self.cut()

    def come_back(self):
        """Forward new connections again."""
        self.down = False

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
        _close(self.listener)

    # --- forwarding -----------------------------------------------------------------------

    def _accept_loop(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed by close()
            if self.down:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
                client.close()
                continue
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
            if not from_client and target in self.muted:
                return  # an answer to what the cut forwarded: it must never arrive
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
        fired.set()  # before the cut: the service answers as soon as it sees it
        if forward_first:
            # Muted before the database has it: a fast answer could otherwise be relayed before the cut.
            self.muted.add(source)
            target.sendall(data)
        self.cut()
        _close(source)
        _close(target)
        return True


def _close(sock):
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
