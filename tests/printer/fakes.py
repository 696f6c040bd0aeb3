"""Fake printers for the printing tests: a raw TCP printer on loopback that answers status
queries (or stalls), and the full printer table the transports expect."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

from onestop.config import NAMED_TABLES

ONLINE = {1: 0x16, 2: 0x12, 4: 0x12}  # 0x16: bit 2 is the drawer pin, not a fault
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}
PAPER_LOW = {1: 0x16, 2: 0x12, 4: 0x1E}


def config(**overrides: Any) -> dict[str, Any]:
    """A full printer table: the configuration's defaults, a short timeout, then ``overrides``."""
    return {**NAMED_TABLES["printers"], "timeout_seconds": 2.0, **overrides}


class StatusParser:
    """Splits a byte stream into DLE EOT n queries (answered) and job bytes (recorded)."""

    def __init__(self, replies: dict[int, int], answer: Callable[[bytes], None]) -> None:
        self.replies = dict(replies)  # a test may change them; the constants stay
        self.answer = answer
        self.queries: list[int] = []
        self.job = bytearray()
        self.buffer = b""

    def feed(self, chunk: bytes) -> None:
        self.buffer += chunk
        i = 0
        while i < len(self.buffer):
            if self.buffer[i : i + 3] == b"\x1dv0":
                # A raster image (GS v 0 m xL xH yL yH, then its bytes): data, never commands,
                # as a printer reads it, even where its bytes happen to spell DLE EOT.
                if len(self.buffer) < i + 8:
                    break
                xl, xh, yl, yh = self.buffer[i + 4 : i + 8]
                end = i + 8 + (xl + 256 * xh) * (yl + 256 * yh)
                if len(self.buffer) < end:
                    break  # the rest of the image is still on its way
                self.job += self.buffer[i:end]
                i = end
            elif self.buffer[i : i + 2] == b"\x10\x04" or self.buffer[i:] == b"\x10":
                if len(self.buffer) < i + 3:
                    break  # the rest of the query is still on its way
                n = self.buffer[i + 2]
                self.queries.append(n)
                self.answer(bytes([self.replies[n]]))
                i += 3
            else:
                self.job.append(self.buffer[i])
                i += 1
        self.buffer = self.buffer[i:]


class FakeNetworkPrinter:
    """Listens on 127.0.0.1; answers status queries, or (stall) accepts and never reads."""

    def __init__(self, replies: dict[int, int], *, stall: bool = False) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)
        self.port = int(self.server.getsockname()[1])
        self.replies = dict(replies)  # a test may change them; the constants stay
        self.stall = stall
        self.parsers: list[StatusParser] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                if self.stall:
                    self.stop.wait(30)
                    return
                self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        parser = StatusParser(self.replies, conn.sendall)
        self.parsers.append(parser)
        conn.settimeout(0.05)
        while not self.stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                return
            if not chunk:
                return  # the job has ended: close like a printer does
            parser.feed(chunk)

    @property
    def job(self) -> bytes:
        return b"".join(bytes(p.job) for p in self.parsers)

    @property
    def queries(self) -> list[int]:
        return [n for p in self.parsers for n in p.queries]

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.server.close()


def net(fake: FakeNetworkPrinter, **overrides: Any) -> dict[str, Any]:
    return config(transport="network", host="127.0.0.1", port=fake.port, **overrides)


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
