"""The sender: pushes the domain's committed realtime events to the Socket.IO clients.

The domain only queues events (``onestop.events``) with payloads from ``onestop.realtime``;
this module is the one place that knows Flask-SocketIO sends them. It sends from a background
thread, so a request's time does not grow with the number of screens: the request hands its
pushes over after its commit and answers. What arrives within ``[realtime] coalesce_ms`` goes
out together, each run of queue counts as one ``queue_changed`` (``realtime.coalesce``).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from onestop.events import realtime_event
from onestop.extensions import socketio
from onestop.realtime import Push, coalesce

log = logging.getLogger(__name__)


def send(push: Push) -> None:
    """Emit one push to every namespace it names (a broken one never stops the others)."""
    for namespace in push.namespaces:
        try:
            socketio.emit(push.name, push.payload, namespace=namespace, to=push.to)
        except Exception:  # a broken push must never undo or block a committed change
            log.exception("could not push %s to %s", push.name, namespace)


class Emitter:
    """A queue of pushes and the thread that sends them, a burst at a time.

    ``window`` seconds after the first push of a burst, everything queued by then is coalesced
    and sent in order. With no window the pushes are sent at once by the thread that commits
    (the old way: the in-process tests use it for their step-by-step checks).
    """

    def __init__(self, sender: Callable[[Push], None] = send, window: float = 0.05) -> None:
        self.sender, self.window = sender, window
        self.pending: queue.Queue[Push] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def put(self, push: Push) -> None:
        if self.window <= 0:
            self.sender(push)
            return
        self.pending.put(push)
        self._ensure_thread()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued has been sent (tests, shutdown); False on timeout."""
        done = self.pending.all_tasks_done
        with done:
            return done.wait_for(lambda: self.pending.unfinished_tasks == 0, timeout)

    def _ensure_thread(self) -> None:
        # A gunicorn worker is forked from the process that built the app: a thread started
        # there does not exist here, so the first push of each process starts its own.
        with self.lock:
            if self.thread is not None and self.thread.is_alive() and self.pid == os.getpid():
                return
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._run, name="onestop-emitter", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while True:
            burst = [self.pending.get()]
            deadline = time.monotonic() + self.window
            while (left := deadline - time.monotonic()) > 0:
                try:
                    burst.append(self.pending.get(timeout=left))
                except queue.Empty:
                    break
            try:
                for push in coalesce(burst):
                    self.sender(push)
            except Exception:  # one bad burst must not stop the sender for good
                log.exception("could not send a burst of %d pushes", len(burst))
            finally:
                for _ in burst:
                    self.pending.task_done()


EMITTER = Emitter()


def _on_event(_sender: Any, *, push: Push) -> None:
    EMITTER.put(push)


def connect_signals(coalesce_ms: float = 0) -> None:
    """Subscribe the sender to the domain's committed events (idempotent), coalescing what
    comes within ``coalesce_ms`` (0: send each at once, from the committing thread)."""
    EMITTER.window = coalesce_ms / 1000
    realtime_event.connect(_on_event, weak=False)
