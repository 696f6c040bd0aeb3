"""Transports over real I/O on loopback: a fake TCP printer, a pty as serial port, fake lp."""

from __future__ import annotations

import os
import select
import stat
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from printer.transports import Health, PrintError, check, decode_status, send
from tests.printer.fakes import (
    ONLINE,
    PAPER_LOW,
    PAPER_OUT,
    FakeNetworkPrinter,
    StatusParser,
    config,
    net,
    refused_port,
)

JOB = b"\x1b@hello\n\x1dV\x00" + bytes(range(256))


# --- decode_status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printer", "cause", "paper", "status"),
    [
        (0x16, None, 0x12, "online"),
        (0x12, None, None, "online"),
        (0x16, None, 0x1E, "paper_low"),
        (0x1A, 0x32, 0x72, "paper_out"),
        (0x16, None, 0x72, "paper_out"),
        (0x1A, 0x16, 0x12, "cover_open"),
        (0x1A, 0x52, 0x12, "offline"),
        (0x1A, 0x12, 0x12, "offline"),
    ],
)
def test_decode_status(printer: int, cause: int | None, paper: int | None, status: str) -> None:
    health = decode_status(printer, cause, paper)
    assert health.status == status
    assert health.ok == (status in {"online", "paper_low"})


@pytest.mark.parametrize(("printer", "cause", "paper"), [(0xFF, None, None), (0x12, 0x13, 0x12)])
def test_decode_status_rejects_bytes_that_are_not_status(
    printer: int, cause: int | None, paper: int | None
) -> None:
    with pytest.raises(PrintError, match="unexpected status reply") as err:
        decode_status(printer, cause, paper)
    assert err.value.transient


def test_unknown_health_may_print() -> None:
    assert Health("unknown").ok
    assert not Health("cover_open").ok


# --- network -------------------------------------------------------------------------------


def test_network_delivers_exact_bytes(fake_printer: Callable[..., FakeNetworkPrinter]) -> None:
    fake = fake_printer()
    health = send(net(fake), JOB, name="kiosk-1", data_dir=Path("/nonexistent"))
    assert health == Health("online")
    assert fake.job == JOB
    assert fake.queries == []


def test_network_queries_first_when_asked(fake_printer: Callable[..., FakeNetworkPrinter]) -> None:
    fake = fake_printer()
    cfg = net(fake, query_status=True)
    assert send(cfg, JOB, name="kiosk-1", data_dir=Path("/nonexistent")).status == "online"
    assert fake.queries == [1, 4]
    assert fake.job == JOB


def test_network_paper_out_sends_nothing(fake_printer: Callable[..., FakeNetworkPrinter]) -> None:
    fake = fake_printer(PAPER_OUT)
    with pytest.raises(PrintError) as err:
        send(
            net(fake, query_status=True),
            JOB,
            name="job-1",
            data_dir=Path("/nonexistent"),
            printer="kiosk-1",
        )
    assert err.value.transient
    assert err.value.health is not None
    assert err.value.health.status == "paper_out"
    assert "kiosk-1" in err.value.reason
    assert "out of paper" in err.value.reason
    assert fake.queries == [1, 4, 2]
    assert fake.job == b""


def test_network_paper_low_still_prints(fake_printer: Callable[..., FakeNetworkPrinter]) -> None:
    fake = fake_printer(PAPER_LOW)
    health = send(net(fake, query_status=True), JOB, name="k", data_dir=Path("/nonexistent"))
    assert health.status == "paper_low"
    assert fake.job == JOB


def test_network_refused_is_transient() -> None:
    cfg = config(transport="network", host="127.0.0.1", port=refused_port())
    with pytest.raises(PrintError, match="unreachable") as err:
        send(cfg, JOB, name="kiosk-1", data_dir=Path("/nonexistent"))
    assert err.value.transient


def test_network_stalled_printer_times_out(fake_printer: Callable[..., FakeNetworkPrinter]) -> None:
    fake = fake_printer(stall=True)
    cfg = net(fake, query_status=True, timeout_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(PrintError, match=r"did not answer the status query within 0\.5 s") as err:
        send(cfg, JOB, name="kiosk-1", data_dir=Path("/nonexistent"))
    assert err.value.transient
    assert time.monotonic() - started < 2.0


# --- serial --------------------------------------------------------------------------------


class FakeSerialPrinter:
    """The master side of a pty; the slave's name is the "serial port" under test."""

    def __init__(self, replies: dict[int, int]) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo or line editing before pyserial configures the port
        self.device = os.ttyname(self.slave)
        self.parser = StatusParser(replies, self._answer)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _answer(self, reply: bytes) -> None:
        os.write(self.master, reply)

    def _serve(self) -> None:
        while not self.stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO while no one has the slave open
                    time.sleep(0.01)
                    continue
                self.parser.feed(chunk)

    def wait_for_job(self, size: int) -> bytes:
        deadline = time.monotonic() + 5
        while len(self.parser.job) < size and time.monotonic() < deadline:
            time.sleep(0.01)
        return bytes(self.parser.job)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def fake_serial() -> Iterator[Callable[[dict[int, int]], FakeSerialPrinter]]:
    started: list[FakeSerialPrinter] = []

    def start(replies: dict[int, int]) -> FakeSerialPrinter:
        fake = FakeSerialPrinter(replies)
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.close()


def test_serial_delivers_exact_bytes(
    fake_serial: Callable[[dict[int, int]], FakeSerialPrinter],
) -> None:
    fake = fake_serial(ONLINE)
    cfg = config(transport="serial", device=fake.device, baudrate=19200, query_status=True)
    assert send(cfg, JOB, name="kiosk-2", data_dir=Path("/nonexistent")).status == "online"
    assert fake.wait_for_job(len(JOB)) == JOB
    assert fake.parser.queries == [1, 4]


def test_serial_paper_out_sends_nothing(
    fake_serial: Callable[[dict[int, int]], FakeSerialPrinter],
) -> None:
    fake = fake_serial(PAPER_OUT)
    cfg = config(transport="serial", device=fake.device, query_status=True)
    with pytest.raises(PrintError, match="out of paper") as err:
        send(cfg, JOB, name="kiosk-2", data_dir=Path("/nonexistent"))
    assert err.value.transient
    assert err.value.health is not None
    assert err.value.health.status == "paper_out"
    assert fake.parser.queries == [1, 4, 2]
    assert fake.parser.job == b""


def test_serial_missing_device_is_transient(tmp_path: Path) -> None:
    cfg = config(transport="serial", device=str(tmp_path / "ttyNOPE"))
    with pytest.raises(PrintError, match=r"serial port .*ttyNOPE not available") as err:
        send(cfg, JOB, name="kiosk-2", data_dir=tmp_path)
    assert err.value.transient


# --- usb -----------------------------------------------------------------------------------


def test_usb_missing_printer_has_a_clear_reason(tmp_path: Path) -> None:
    cfg = config(transport="usb", vendor_id=0xFFFF, product_id=0xFFFE)
    with pytest.raises(PrintError) as err:
        send(cfg, JOB, name="kiosk-3", data_dir=tmp_path)
    if "libusb is not installed" in err.value.reason:
        assert not err.value.transient
    else:
        assert err.value.reason == "USB printer ffff:fffe not found"
        assert err.value.transient
    assert check(cfg).status == "offline"


# --- file ----------------------------------------------------------------------------------


def test_file_appends_exactly(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.write_bytes(b"old")
    cfg = config(transport="file", path=str(target), query_status=True)
    health = send(cfg, JOB, name="kiosk-4", data_dir=tmp_path)
    assert health.status == "unknown"
    assert target.read_bytes() == b"old" + JOB


def test_file_unwritable_is_transient(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "lp0"
    with pytest.raises(PrintError) as err:
        send(config(transport="file", path=str(target)), JOB, name="k", data_dir=tmp_path)
    assert err.value.transient
    assert str(target) in err.value.reason


# --- cups ----------------------------------------------------------------------------------


def fake_command(folder: Path, name: str, body: str) -> None:
    script = folder / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder


def recording_lp(bin_dir: Path, out: Path) -> None:
    fake_command(bin_dir, "lp", f'printf "%s\\n" "$@" > "{out}/args"\ncat > "{out}/stdin"')


def test_cups_pipes_raw_job(bin_dir: Path, tmp_path: Path) -> None:
    recording_lp(bin_dir, tmp_path)
    cfg = config(transport="cups", queue="kiosk")
    assert send(cfg, JOB, name="t-1", data_dir=tmp_path).status == "unknown"
    args = (tmp_path / "args").read_text().splitlines()
    assert args[:4] == ["-d", "kiosk", "-o", "raw"]
    assert (tmp_path / "stdin").read_bytes() == JOB


def test_cups_pdf_is_not_raw(bin_dir: Path, tmp_path: Path) -> None:
    recording_lp(bin_dir, tmp_path)
    pdf = b"%PDF-1.4 fake"
    send(config(transport="cups", queue="a4"), b"", name="slip", data_dir=tmp_path, pdf=pdf)
    args = (tmp_path / "args").read_text().splitlines()
    assert args[:2] == ["-d", "a4"]
    assert "raw" not in args
    assert (tmp_path / "stdin").read_bytes() == pdf


def test_cups_failure_is_transient_with_message(bin_dir: Path, tmp_path: Path) -> None:
    fake_command(bin_dir, "lp", 'echo "lp: The printer or class does not exist." >&2\nexit 1')
    with pytest.raises(PrintError, match="printer or class does not exist") as err:
        send(config(transport="cups", queue="nope"), JOB, name="t", data_dir=tmp_path)
    assert err.value.transient


def test_cups_without_lp_is_permanent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrintError, match="CUPS client 'lp' is not installed") as err:
        send(config(transport="cups", queue="kiosk"), JOB, name="t", data_dir=tmp_path)
    assert not err.value.transient


def test_cups_check_reads_disabled_queue(bin_dir: Path, tmp_path: Path) -> None:
    recording_lp(bin_dir, tmp_path)
    cfg = config(transport="cups", queue="kiosk")
    assert check(cfg).status == "unknown"  # no lpstat
    fake_command(bin_dir, "lpstat", 'echo "printer kiosk disabled since Mon -"')
    assert check(cfg) == Health("offline", "CUPS queue kiosk is disabled")
    fake_command(bin_dir, "lpstat", 'echo "printer kiosk is idle.  enabled since Mon"')
    assert check(cfg).status == "unknown"


# --- virtual, unknown ----------------------------------------------------------------------


def test_virtual_writes_png_and_bin(tmp_path: Path) -> None:
    image = Image.new("1", (16, 8), 1)
    assert send(config(), JOB, name="t-1", data_dir=tmp_path, image=image) == Health("online")
    assert (tmp_path / "prints" / "t-1.bin").read_bytes() == JOB
    with Image.open(tmp_path / "prints" / "t-1.png") as saved:
        assert saved.size == (16, 8)


def test_virtual_writes_pdf(tmp_path: Path) -> None:
    send(config(), b"", name="slip-1", data_dir=tmp_path, pdf=b"%PDF-1.4 fake")
    assert (tmp_path / "prints" / "slip-1.pdf").read_bytes() == b"%PDF-1.4 fake"
    assert not (tmp_path / "prints" / "slip-1.bin").exists()


def test_unknown_transport_is_permanent(tmp_path: Path) -> None:
    with pytest.raises(PrintError, match="unknown transport") as err:
        send(config(transport="pigeon"), JOB, name="t", data_dir=tmp_path)
    assert not err.value.transient


def test_pdf_on_a_receipt_transport_is_permanent(tmp_path: Path) -> None:
    cfg = config(transport="file", path=str(tmp_path / "lp0"))
    with pytest.raises(PrintError, match="cannot print a PDF") as err:
        send(cfg, b"", name="t", data_dir=tmp_path, pdf=b"%PDF")
    assert not err.value.transient
    assert not (tmp_path / "lp0").exists()


# --- check ---------------------------------------------------------------------------------


def test_check_online(fake_printer: Callable[..., FakeNetworkPrinter]) -> None:
    fake = fake_printer()
    assert check(net(fake)) == Health("online")
    assert fake.job == b""


def test_check_reports_paper_out(fake_printer: Callable[..., FakeNetworkPrinter]) -> None:
    assert check(net(fake_printer(PAPER_OUT))).status == "paper_out"


def test_check_offline_for_refused_port() -> None:
    health = check(config(transport="network", host="127.0.0.1", port=refused_port()))
    assert health.status == "offline"
    assert "unreachable" in health.detail


def test_check_file_is_unknown(tmp_path: Path) -> None:
    health = check(config(transport="file", path=str(tmp_path / "lp0")))
    assert health.status == "unknown"
    assert "cannot report its status" in health.detail
    assert not (tmp_path / "lp0").exists()


def test_check_virtual_is_online() -> None:
    assert check(config()) == Health("online")
