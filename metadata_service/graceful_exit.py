"""A gunicorn shutdown that answers every request it has let in, and lets no new one in.

On SIGTERM gunicorn's master closes its copy of the listening socket and tells the workers to stop;
each sync worker finishes its request and exits. A connection the kernel had meanwhile completed on
the shared socket (the client's request already sent) is reset when the last worker closes it, so
the client cannot tell whether its write was applied. Measured here: one reset per client and
shutdown under a steady write load. So, on shutdown:

1. the master first closes the door: a socket filter that drops every incoming packet on the
   listening socket, so no new connection completes (clients retry their SYN and are refused
   once the socket is closed: nothing was sent, nothing is ambiguous);
2. each worker, as it exits, answers the connections already queued, then closes its copy.

Requests that wait on purpose (a change feed long-poll, an SSE stream) would otherwise hold their worker
until ``graceful_timeout``: on its SIGTERM, or once it stopped itself after ``max_requests``, a worker runs
the callbacks given to ``on_worker_stop``, which end those waits at once.
"""

import ctypes
import logging
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable

from gunicorn.workers.sync import SyncWorker

logger = logging.getLogger(__name__)

SO_ATTACH_FILTER = getattr(socket, "SO_ATTACH_FILTER", 26)  # Linux
DROP_EVERYTHING = struct.pack("HBBI", 0x06, 0, 0, 0)  # one classic BPF instruction: BPF_RET|BPF_K 0
DRAIN_SECONDS_MAX = 10.0
_stop_callbacks: list[Callable[[], None]] = []


def on_worker_stop(callback: Callable[[], None]) -> None:
    """Run ``callback`` (in this process) when its gunicorn worker is told to stop gracefully."""
    _stop_callbacks.append(callback)


def announce_worker_stop(worker):
    """Make the worker's SIGTERM handler run the ``on_worker_stop`` callbacks too (call before its signals
    are installed, i.e. from ``post_fork``). They run in a thread (a greenlet under gevent) of their own:
    a signal handler must not take the locks the interrupted code may hold."""
    handle_exit = worker.handle_exit

    def handle_exit_and_announce(sig, frame):
        handle_exit(sig, frame)
        outside_the_signal_handler(run_stop_callbacks)

    worker.handle_exit = handle_exit_and_announce


def announce_self_stop(worker):
    """After a request: a worker that stopped itself (``max_requests`` reached, no signal) ends its waits too.
    The callbacks may run more than once; they only wake what waits."""
    if not worker.alive:
        run_stop_callbacks()


def outside_the_signal_handler(function):
    """Start ``function`` in a greenlet under gevent (its signal handlers run in the event loop, where
    ``Thread.start()`` may not block waiting for the thread), in a thread otherwise."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        import gevent

        gevent.spawn(function)
    else:
        threading.Thread(target=function, name="worker-stop", daemon=True).start()


def run_stop_callbacks():
    """Each ``on_worker_stop`` callback, in the order given."""
    for callback in list(_stop_callbacks):
        try:
            callback()
        except Exception:  # one failing callback must not keep the others from ending their waits
            logger.exception("a worker stop callback failed")


def close_the_door_on_stop(arbiter):
    """Make the master drop new connections on the listening sockets before it stops the workers.

    Only when this master owns the sockets outright (gunicorn's own test before it unlinks them):
    not while handing them to a re-executed master, under systemd socket activation or reuse_port,
    where the same socket lives on in another server.
    """
    stop = arbiter.stop

    def stop_after_closing_the_door(graceful=True):
        owns_sockets = arbiter.reexec_pid == arbiter.master_pid == 0 and not arbiter.systemd
        if graceful and owns_sockets and not arbiter.cfg.reuse_port:
            for listener in arbiter.LISTENERS:
                refuse_new_connections(listener.sock)
            arbiter.log.info("Graceful stop: no new connections; workers answer the queued ones")
        stop(graceful)

    arbiter.stop = stop_after_closing_the_door


def refuse_new_connections(listener):
    """Attach a drop-everything filter: queued connections stay, no new one completes its handshake."""
    if not sys.platform.startswith("linux"):
        return
    program = ctypes.create_string_buffer(DROP_EVERYTHING)
    fprog = struct.pack("HL", 1, ctypes.addressof(program))  # struct sock_fprog {len; filter *}
    try:
        listener.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    except OSError as exc:
        logger.warning("could not close the listening socket to new connections: %s", exc)


def serve_queued_connections(worker):
    """In an exiting sync worker, answer every queued connection (for a bounded time), then close."""
    if not isinstance(worker, SyncWorker) or os.getpid() != worker.pid or not worker.booted:
        return  # the master runs this hook too; other worker classes stop their own way
    deadline = time.monotonic() + min(DRAIN_SECONDS_MAX, worker.cfg.graceful_timeout / 2)
    for listener in worker.sockets:
        listener.setblocking(False)
        while time.monotonic() < deadline:
            try:
                client, address = listener.accept()
            except OSError:  # nothing queued (EAGAIN), or the socket is gone
                break
            client.setblocking(True)
            worker.handle(listener, client, address)
    for listener in worker.sockets:
        listener.close()
