"""Rate limits: a fixed window per route and caller, counted in memory or in Redis.

Built on ``limits`` (the counting and storage library Flask-Limiter itself uses) rather than on
Flask-Limiter: measured on the ticket path (bench/ticket_bench.py), Flask-Limiter's machinery
around each check — two passes over every route's limits, exemption scopes, a second storage
read for the headers of every answer — cost about 0.7 ms a request, more than the ticket's
own SQL; this module's check is one storage increment (a few µs in memory).

- ``@limiter.limit(value, key_func=None)`` on a view: ``value`` gives the limit at request
  time ("30 per minute", or several joined by ";"); the caller is ``key_func()``, else the
  signed-in device or officer, else the client's address. Each decorated view counts apart.
- Over the limit: 429 with ``Retry-After`` (the window's end) and the ``X-RateLimit-*`` headers.
- The storage fails (Redis down): counted in this process's memory meanwhile, with a warning,
  and the storage is tried again after a pause that grows to a minute; nobody is refused
  because the counter is gone, and no request fails for it.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, g, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from werkzeug.exceptions import TooManyRequests

from onestop.config import ConfigError

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
#: The pauses before the failed storage is tried again, in seconds (the last one repeats).
RETRY_PAUSES = (1.0, 2.0, 5.0, 15.0, 60.0)


def caller_key() -> str:
    """Devices and officers are limited per identity; everyone else per client address."""
    principal = g.get("principal_key")
    return principal or f"ip:{request.remote_addr or 'unknown'}"


@functools.lru_cache(maxsize=64)
def parsed(value: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(value))


class Counting(Protocol):
    """What the limiter asks of a storage: ``limits``'s, or :class:`WindowCounts`."""

    def incr(self, key: str, expiry: int, amount: int = 1) -> int: ...
    def get_expiry(self, key: str) -> float: ...


class WindowCounts:
    """Fixed windows counted in this process's memory (``memory://``, and the fallback while
    the shared storage is down).

    Not ``limits``'s MemoryStorage: each of its increments asks whether its expiry timer thread
    is alive, which under gevent yields (every rate-limited request gave up its turn before its
    handler ran), and it starts a new timer thread every 10 ms of traffic. Here a window is a
    count and its end; ended windows are dropped as they are met, and all of them now and then.
    """

    PRUNE_EVERY = 4096

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.windows: dict[str, list[float]] = {}  # key → [count, end (epoch seconds)]
        self.lock = threading.Lock()
        self.since_prune = 0

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self.clock()
        with self.lock:
            window = self.windows.get(key)
            if window is None or window[1] <= now:
                window = self.windows[key] = [0, now + expiry]
            window[0] += amount
            self.since_prune += 1
            if self.since_prune >= self.PRUNE_EVERY:
                self.since_prune = 0
                self.windows = {k: w for k, w in self.windows.items() if w[1] > now}
            return int(window[0])

    def get_expiry(self, key: str) -> float:
        window = self.windows.get(key)
        return window[1] if window is not None and window[1] > self.clock() else self.clock()


@dataclass
class Counters:
    """One app's counting: its storage, the memory fallback, and the storage's health."""

    uri: str
    storage: Counting
    fallback: WindowCounts = field(default_factory=WindowCounts)
    failures: int = 0
    retry_at: float = 0.0

    def count(self, key: str, expiry: int) -> int:
        """Add one to ``key``'s window and say how many it holds."""
        if self.failures and monotonic() < self.retry_at:
            return self.fallback.incr(key, expiry)
        try:
            counted = self.storage.incr(key, expiry)
        except Exception as exc:  # noqa: BLE001 - a broken counter must not refuse anyone
            self.failures += 1
            pause = RETRY_PAUSES[min(self.failures, len(RETRY_PAUSES)) - 1]
            self.retry_at = monotonic() + pause
            log.warning(
                "Rate limit storage %s failed (%s: %s); counting in memory, next try in %.0f s",
                self.shown,
                type(exc).__name__,
                exc,
                pause,
            )
            return self.fallback.incr(key, expiry)
        if self.failures:
            log.warning("Rate limit storage %s is back", self.shown)
            self.failures = 0
        return counted

    @property
    def shown(self) -> str:
        """The storage's URL as the log may show it: without a password."""
        parts = urlsplit(self.uri)
        if parts.password is None:
            return self.uri
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))

    def window_end(self, key: str) -> float:
        """When ``key``'s window ends (epoch seconds; 0 when the storage cannot say)."""
        store = self.fallback if self.failures else self.storage
        try:
            return float(store.get_expiry(key))
        except Exception:  # noqa: BLE001 - it just failed: the limit's full window is the answer
            return 0.0


class RateLimiter:
    """The app's rate limits (``init_app`` binds it to an app: each app counts apart)."""

    def init_app(self, app: Flask) -> None:
        uri = str(app.config["ONESTOP"]["security"]["ratelimit_storage"])
        if urlsplit(uri).scheme == "memory":
            app.extensions["onestop.ratelimits"] = Counters(uri, WindowCounts())
            return
        storage = storage_from_string(uri)
        if not isinstance(storage, Storage):  # an "async+…" URL: its counters need an event loop
            raise ConfigError(f"security.ratelimit_storage {uri!r} is not a synchronous storage")
        app.extensions["onestop.ratelimits"] = Counters(uri, storage)

    def limit(self, value: Callable[[], str], key_func: Callable[[], str] | None = None) -> Any:
        def decorate(view: F) -> F:
            scope = f"{view.__module__}.{view.__qualname__}"

            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                check(scope, value(), (key_func or caller_key)())
                return view(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return decorate


def check(scope: str, value: str, caller: str) -> None:
    """Count this request against each limit in ``value``; 429 when one is exceeded."""
    counters: Counters = current_app.extensions["onestop.ratelimits"]
    for item in parsed(value):
        key = item.key_for(scope, caller)
        if counters.count(key, item.get_expiry()) > item.amount:
            ends = counters.window_end(key) or time.time() + item.get_expiry()
            wait = max(1, math.ceil(ends - time.time()))
            g.retry_after = str(wait)
            g.rate_limit_headers = {
                "X-RateLimit-Limit": str(item.amount),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(math.ceil(ends)),
            }
            raise TooManyRequests(f"rate limit exceeded: {item.amount} per {_window(item)}")


def _window(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"
