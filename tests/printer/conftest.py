"""Printer test fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.printer.fakes import ONLINE, FakeNetworkPrinter


@pytest.fixture
def fake_printer() -> Iterator[Callable[..., FakeNetworkPrinter]]:
    started: list[FakeNetworkPrinter] = []

    def start(replies: dict[int, int] = ONLINE, *, stall: bool = False) -> FakeNetworkPrinter:
        fake = FakeNetworkPrinter(replies, stall=stall)
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.close()
