"""The sender: pushes the domain's committed realtime events to the Socket.IO clients.

The domain only queues events (``onestop.events``) with payloads from ``onestop.realtime``;
this module is the one place that knows Flask-SocketIO sends them. It sends from a background
thread, so a request's time does not grow with the number of screens: the request hands its
pushes over after its commit and answers. What arrives within ``[realtime] coalesce_ms`` goes
out together, each run of queue counts as one ``queue_changed`` (``realtime.coalesce``).

While the message queue (Redis) is down, nothing is lost that a screen cannot get back: a push
with a seq (the queue's state) is dropped, and its office's screens get their whole state
afresh once the queue takes pushes again; a push without one (a print's outcome, a pad's
question) is held, for up to ``HOLD_SECONDS``, and sent then in its order.
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
from onestop.mq import QueueDown
from onestop.realtime import Push, coalesce, in_seq_order, urgent

log = logging.getLogger(__name__)


def send(push: Push) -> None:
    """Emit one push to every namespace it names (a broken one never stops the others); a
    message queue that is down raises :class:`QueueDown` (the push did not leave)."""
    for namespace in push.namespaces:
        try:
            socketio.emit(push.name, push.payload, namespace=namespace, to=push.to)
        except QueueDown:
            raise
        except Exception:  # a broken push must never undo or block a committed change
            log.exception("could not push %s to %s", push.name, namespace)


#: How long a push the message queue would not take is held for another try, and how many.
HOLD_SECONDS = 600
HOLD_MAX = 10_000
RETRY_SECONDS = 1.0


class Emitter:
    """A queue of pushes and the thread that sends them, a burst at a time.

    A push that comes after a quiet spell is sent at once, and so is a call; while pushes keep
    coming, what is queued within ``window`` seconds of the last burst is coalesced and sent in
    order. With no window the pushes are sent at once by the thread that commits (the
    in-process tests use it for their step-by-step checks).
    """

    def __init__(self, sender: Callable[[Push], None] = send, window: float = 0.05) -> None:
        self.sender, self.window = sender, window
        self.pending: queue.Queue[Push] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0
        self.running = False  # the sender thread of process ``pid`` is running
        self.last_sent = 0.0  # when the last burst left (monotonic)
        # While the message queue is down: the pushes no seq can recover (a print's outcome,
        # a pad's question), held with the time they came, and the offices whose queue state
        # was lost: once the queue takes pushes again, they get their state afresh.
        self.held: list[tuple[float, Push]] = []
        self.resync: set[int] = set()
        #: office ids → the pushes that give their screens the current state (catch-up's)
        self.state_of: Callable[[set[int]], list[Push]] | None = None

    def put(self, push: Push) -> None:
        if self.window <= 0:
            self._send_all([push])
            return
        self.pending.put(push)
        self._ensure_thread()
        if urgent(push):
            # A call leaves before the request goes on: under gevent a greenlet runs until it
            # yields, so the call would otherwise wait for the answer, its JSON, the access log
            # and every request ready before it. Other pushes wait for the sender's turn.
            time.sleep(0)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued has been sent (tests, shutdown); False on timeout."""
        done = self.pending.all_tasks_done
        with done:
            return done.wait_for(lambda: self.pending.unfinished_tasks == 0, timeout)

    def _ensure_thread(self) -> None:
        # A gunicorn worker is forked from the process that built the app: a thread started
        # there does not exist here, so the first push of each process starts its own. The
        # sender's own flag says it runs, not Thread.is_alive(): under gevent that yields, and
        # the request handing its pushes over waited behind everything ready to run (the
        # sender's whole burst, other requests) before it could answer.
        if self.running and self.pid == os.getpid():
            return
        with self.lock:
            if self.running and self.pid == os.getpid():
                return
            self.pid, self.running = os.getpid(), True
            self.thread = threading.Thread(target=self._run, name="onestop-emitter", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            self._send_forever()
        finally:
            self.running = False

    def _send_forever(self) -> None:
        while True:
            waiting = bool(self.held or self.resync)
            try:
                burst = [self.pending.get(timeout=RETRY_SECONDS if waiting else None)]
            except queue.Empty:
                burst = []
            # After a quiet spell what is queued leaves at once; while pushes keep coming, they
            # leave at most once a window. A call never waits: it leaves at once, with what is
            # queued with it (taken whole, so that pushes handed over out of order are put back
            # in their order).
            if burst:
                burst += self._queued()
            deadline = self.last_sent + self.window
            while (
                burst and not any(map(urgent, burst)) and (left := deadline - time.monotonic()) > 0
            ):
                try:
                    burst.append(self.pending.get(timeout=left))
                except queue.Empty:
                    break
                burst += self._queued()
            try:
                self._send_all(coalesce(in_seq_order(burst)))
            except Exception:  # one bad burst must not stop the sender for good
                log.exception("could not send a burst of %d pushes", len(burst))
            finally:
                if burst:
                    self.last_sent = time.monotonic()
                for _ in burst:
                    self.pending.task_done()

    def _queued(self) -> list[Push]:
        """What is in the queue now, without waiting."""
        ready: list[Push] = []
        while True:
            try:
                ready.append(self.pending.get_nowait())
            except queue.Empty:
                return ready

    def _send_all(self, pushes: list[Push]) -> None:
        """The held pushes (in their order), then the lost offices' fresh state, then
        ``pushes``; what the message queue will not take is held again."""
        if self.resync and self.state_of is not None:
            offices, self.resync = self.resync, set()
            try:
                pushes = self.state_of(offices) + pushes
            except Exception:  # the database may be down too: try again next time
                log.exception("could not read the state of offices %s", sorted(offices))
                self.resync |= offices
        held, self.held = self.held, []
        queue_down = False
        for came, push in [*held, *((time.monotonic(), p) for p in pushes)]:
            if not queue_down:
                try:
                    self.sender(push)
                    continue
                except QueueDown:
                    queue_down = True
                    log.warning("the message queue is down; holding pushes until it is back")
            self._hold(came, push)

    def _hold(self, came: float, push: Push) -> None:
        if "seq" in push.payload:  # queue state: its office gets its whole state when back
            self.resync.add(push.office_id)
        elif time.monotonic() - came < HOLD_SECONDS:
            self.held.append((came, push))
            del self.held[:-HOLD_MAX]


EMITTER = Emitter()


def _on_event(_sender: Any, *, push: Push) -> None:
    EMITTER.put(push)


def connect_signals(coalesce_ms: float = 0) -> None:
    """Subscribe the sender to the domain's committed events (idempotent), coalescing what
    comes within ``coalesce_ms`` (0: send each at once, from the committing thread)."""
    EMITTER.window = coalesce_ms / 1000
    realtime_event.connect(_on_event, weak=False)
