"""Where the bytes go, and whether the printer can take them.

Transports (``cfg["transport"]``): ``virtual`` (files under ``<data_dir>/prints``), ``network``
(raw TCP, port 9100), ``serial`` (pyserial), ``usb`` (pyusb), ``file`` (a file or device node)
and ``cups`` (``lp``). Every failure is a :class:`PrintError` whose reason an operator can act on;
``transient`` tells the worker whether retrying can help.

Status comes from Epson's real-time ``DLE EOT n`` queries, asked over the same connection the job
then goes through, so a printer that is out of paper is never sent a job it would lose.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import serial
import usb.core
import usb.util

if TYPE_CHECKING:
    from PIL import Image

from onestop.printing import STOPPED

DLE_EOT = b"\x10\x04"
# Every real-time status byte has bits 1 and 4 set and bits 0 and 7 clear (Epson ESC/POS).
_REPLY_MASK, _REPLY_BITS = 0x93, 0x12
_USB_CHUNK = 4096


class PrintError(Exception):
    """A job could not be delivered; ``reason`` is shown to staff as is."""

    def __init__(self, reason: str, *, transient: bool, health: Health | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.health = health


@dataclass(frozen=True)
class Health:
    """``online`` | ``paper_low`` | ``paper_out`` | ``cover_open`` | ``offline`` | ``unknown``."""

    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether a job may be sent (``unknown`` may: most transports cannot tell)."""
        return self.status not in STOPPED


def decode_status(printer: int, cause: int | None, paper: int | None) -> Health:
    """Health from the replies to DLE EOT 1 (printer), 2 (offline cause) and 4 (roll paper).

    ``cause`` and ``paper`` are None when they were not asked.
    """
    for n, value in ((1, printer), (2, cause), (4, paper)):
        if value is not None and value & _REPLY_MASK != _REPLY_BITS:
            raise PrintError(
                f"unexpected status reply 0x{value:02x} to DLE EOT {n}", transient=True
            )
    cause = cause or 0
    paper = paper or 0
    # Most specific first: a printer out of paper is also offline, and staff need to know why.
    if paper & 0x60 or cause & 0x20:
        return Health("paper_out", "roll paper end")
    if cause & 0x04:
        return Health("cover_open", "cover open")
    if cause & 0x40:
        return Health("offline", "the printer reports an error (e.g. a cutter jam)")
    if printer & 0x08:
        return Health("offline")
    if paper & 0x0C:
        return Health("paper_low", "roll paper near end")
    return Health("online")


class Connection:
    """An open channel to one printer; transports override what they can do.

    ``read`` returns at most ``n`` bytes, ``b""`` when nothing arrived within ``timeout``;
    ``finish`` ends a delivered job; ``close`` never raises (it runs after errors).
    """

    label: str = "printer"
    readable: bool = True

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, n: int, timeout: float) -> bytes:  # noqa: ARG002  (a link that cannot read)
        return b""

    def finish(self) -> None:
        """Called once the whole job was written."""

    def close(self) -> None:
        """Release the channel."""


def probe(conn: Connection, timeout: float) -> Health:
    """Ask DLE EOT 1 and 4 (and 2 when offline) over ``conn``; all answers within ``timeout``."""
    deadline = time.monotonic() + timeout

    def ask(n: int) -> int:
        conn.write(DLE_EOT + bytes([n]))
        # A loop, not one read: USB may hand back empty packets before the status byte.
        while (remaining := deadline - time.monotonic()) > 0:
            reply = conn.read(1, remaining)
            if reply:
                return reply[0]
        raise PrintError(
            f"printer {conn.label} did not answer the status query within {timeout:g} s",
            transient=True,
        )

    printer = ask(1)
    decode_status(printer, None, None)  # a garbage first byte must not steer the next question
    paper = ask(4)
    cause = ask(2) if printer & 0x08 else None
    return decode_status(printer, cause, paper)


def send(
    cfg: dict[str, Any],
    data: bytes,
    *,
    name: str,
    data_dir: Path,
    image: Image.Image | None = None,
    pdf: bytes | None = None,
    printer: str | None = None,
) -> Health:
    """Deliver one job (ESC/POS ``data``, or ``pdf`` for a page printer) or raise PrintError.

    ``name`` names the job (a virtual printer's files, the CUPS title); ``printer`` names the
    printer in messages.

    With ``query_status`` the printer is asked first and a printer that cannot print is sent
    nothing. Returns the health seen: ``online`` when the job went out without a query,
    ``unknown`` where the transport cannot read.
    """
    transport = cfg["transport"]
    if transport == "virtual":
        return _send_virtual(data, name=name, data_dir=data_dir, image=image, pdf=pdf)
    if transport == "cups":
        return _send_cups(cfg, data if pdf is None else pdf, raw=pdf is None, name=name)
    if pdf is not None:
        # A receipt printer would print a PDF as pages of garbage characters.
        raise PrintError(
            f"a {transport} receipt printer cannot print a PDF; use a cups queue", transient=False
        )
    with _connect(cfg, printer) as conn:
        health = Health("online") if conn.readable else _cannot_report(conn.label)
        if cfg["query_status"] and conn.readable:
            health = probe(conn, float(cfg["timeout_seconds"]))
            if not health.ok:
                raise PrintError(_complaint(conn.label, health), transient=True, health=health)
        conn.write(data)
        conn.finish()
    return health


def check(cfg: dict[str, Any], *, name: str | None = None) -> Health:
    """The printer's health without printing; failures come back as ``offline`` with the reason."""
    transport = cfg["transport"]
    if transport == "virtual":
        return Health("online")
    if transport == "cups":
        return _check_cups(cfg, name)
    if transport == "file":
        return _check_file(cfg, name)
    try:
        with _connect(cfg, name) as conn:
            if not conn.readable:
                return _cannot_report(conn.label)
            return probe(conn, float(cfg["timeout_seconds"]))
    except PrintError as exc:
        return Health("offline", exc.reason)


def _complaint(label: str, health: Health) -> str:
    if health.status == "paper_out":
        return f"printer {label} is out of paper"
    if health.status == "cover_open":
        return f"printer {label} has its cover open"
    if health.status == "offline":
        return f"printer {label} is offline" + (f": {health.detail}" if health.detail else "")
    return f"printer {label} is {health.status}"


def _cannot_report(label: str) -> Health:
    return Health("unknown", f"printer {label} cannot report its status")


# --- virtual -------------------------------------------------------------------------------


def _send_virtual(
    data: bytes, *, name: str, data_dir: Path, image: Image.Image | None, pdf: bytes | None
) -> Health:
    folder = data_dir / "prints"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if image is not None:
            image.save(folder / f"{name}.png")
        if pdf is not None:
            (folder / f"{name}.pdf").write_bytes(pdf)
        else:
            (folder / f"{name}.bin").write_bytes(data)
    except OSError as exc:
        raise PrintError(f"cannot write to {folder}: {exc}", transient=True) from None
    return Health("online")


# --- connections ---------------------------------------------------------------------------


class _NetworkConnection(Connection):
    """Raw TCP to port 9100 (JetDirect style): the job ends when our side closes."""

    def __init__(self, cfg: dict[str, Any], name: str | None) -> None:
        address = f"{cfg['host']}:{cfg['port']}"
        self.label = f"{name} ({address})" if name else address
        self.timeout = float(cfg["timeout_seconds"])
        with self._errors():
            self.sock = socket.create_connection((cfg["host"], cfg["port"]), timeout=self.timeout)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except TimeoutError:
            raise PrintError(f"printer {self.label} timed out", transient=True) from None
        except OSError as exc:
            raise PrintError(f"printer {self.label} unreachable: {exc}", transient=True) from None

    def write(self, data: bytes) -> None:
        with self._errors():
            self.sock.settimeout(self.timeout)
            self.sock.sendall(data)

    def read(self, n: int, timeout: float) -> bytes:
        with self._errors():
            self.sock.settimeout(max(timeout, 0.001))  # 0 would mean non-blocking
            try:
                chunk = self.sock.recv(n)
            except TimeoutError:
                return b""
        if not chunk:
            raise PrintError(f"printer {self.label} closed the connection", transient=True)
        return chunk

    def finish(self) -> None:
        with self._errors():
            self.sock.shutdown(socket.SHUT_WR)
        # Wait (bounded) for the printer to close its side: closing while it still sends us
        # something (automatic status back) would answer with a reset that can make it drop
        # the end of the job it has not printed yet.
        deadline = time.monotonic() + self.timeout
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                self.sock.settimeout(remaining)
                if not self.sock.recv(4096):
                    break
        except OSError:
            pass  # timed out or reset after our FIN: the job bytes were already acknowledged

    def close(self) -> None:
        self.sock.close()


class _SerialConnection(Connection):
    def __init__(self, cfg: dict[str, Any], name: str | None) -> None:
        self.device = cfg["device"]
        self.label = name or self.device
        self.timeout = float(cfg["timeout_seconds"])
        try:
            self.port = serial.Serial(
                self.device, cfg["baudrate"], timeout=self.timeout, write_timeout=self.timeout
            )
        except (serial.SerialException, OSError) as exc:
            raise PrintError(
                f"serial port {self.device} not available: {exc}", transient=True
            ) from None
        except ValueError as exc:  # a bad baud rate: retrying cannot fix the configuration
            raise PrintError(f"serial port {self.device}: {exc}", transient=False) from None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except serial.SerialTimeoutException:
            raise PrintError(
                f"serial port {self.device} write timed out after {self.timeout:g} s "
                "(printer offline or flow control stuck)",
                transient=True,
            ) from None
        except (serial.SerialException, OSError) as exc:
            raise PrintError(f"serial port {self.device} failed: {exc}", transient=True) from None

    def write(self, data: bytes) -> None:
        # No flush(): it is tcdrain without a timeout; the kernel drains the rest on close.
        with self._errors():
            self.port.write(data)

    def read(self, n: int, timeout: float) -> bytes:
        with self._errors():
            self.port.timeout = timeout
            return bytes(self.port.read(n))

    def close(self) -> None:
        self.port.close()


class _UsbConnection(Connection):
    """A USB printer-class device driven through libusb (pyusb), bypassing usblp."""

    def __init__(self, cfg: dict[str, Any], name: str | None) -> None:
        self.ids = f"{cfg['vendor_id']:04x}:{cfg['product_id']:04x}"
        self.label = name or f"USB {self.ids}"
        self.timeout = float(cfg["timeout_seconds"])
        self.interface = int(cfg["usb_interface"])
        self.detached = self.claimed = False
        self.pending = b""
        try:
            dev = usb.core.find(idVendor=cfg["vendor_id"], idProduct=cfg["product_id"])
        except usb.core.NoBackendError:
            raise PrintError(
                "libusb is not installed (apt-get install libusb-1.0-0)", transient=False
            ) from None
        if dev is None:
            raise PrintError(f"USB printer {self.ids} not found", transient=True)
        self.dev: Any = dev
        try:
            with self._errors():
                self._claim(cfg)
        except BaseException:
            self.close()
            raise

    def _claim(self, cfg: dict[str, Any]) -> None:
        try:
            config = self.dev.get_active_configuration()
        except usb.core.USBError:  # not configured yet (no kernel driver touched it)
            self.dev.set_configuration()
            config = self.dev.get_active_configuration()
        intf = usb.util.find_descriptor(config, bInterfaceNumber=self.interface)
        if intf is None:
            raise PrintError(
                f"USB printer {self.ids} has no interface {self.interface}", transient=False
            )
        try:
            active = self.dev.is_kernel_driver_active(self.interface)
        except NotImplementedError:  # backends without kernel drivers to detach
            active = False
        if active:
            self.dev.detach_kernel_driver(self.interface)
            self.detached = True
        usb.util.claim_interface(self.dev, self.interface)
        self.claimed = True
        self.out_ep = _bulk_endpoint(intf, usb.util.ENDPOINT_OUT, cfg["usb_out_ep"])
        if self.out_ep is None:
            raise PrintError(f"USB printer {self.ids} has no bulk OUT endpoint", transient=False)
        self.in_ep = _bulk_endpoint(intf, usb.util.ENDPOINT_IN, cfg["usb_in_ep"])
        self.readable = self.in_ep is not None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except usb.core.USBTimeoutError:
            raise PrintError(
                f"USB printer {self.ids} timed out after {self.timeout:g} s", transient=True
            ) from None
        except usb.core.USBError as exc:
            why = {
                errno.EBUSY: "is busy (another program or driver holds it)",
                errno.EACCES: "is not accessible (permissions: add a udev rule)",
                errno.ENODEV: "was disconnected",
            }.get(exc.errno or 0, "failed")
            raise PrintError(f"USB printer {self.ids} {why}: {exc}", transient=True) from None

    def _ms(self, seconds: float) -> int:
        return max(1, round(seconds * 1000))  # pyusb reads 0 as "wait forever"

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        with self._errors():
            while view:
                chunk = view[:_USB_CHUNK]
                written = self.dev.write(self.out_ep, chunk, timeout=self._ms(self.timeout))
                if written <= 0:
                    raise PrintError(f"USB printer {self.ids} accepted no data", transient=True)
                view = view[written:]

    def read(self, n: int, timeout: float) -> bytes:
        if not self.pending:
            with self._errors():
                try:
                    # Whole packets: asking libusb for less than one can overflow.
                    packet = self.dev.read(
                        self.in_ep, self.in_ep.wMaxPacketSize, timeout=self._ms(timeout)
                    )
                except usb.core.USBTimeoutError:
                    return b""
            self.pending = bytes(packet)
        chunk, self.pending = self.pending[:n], self.pending[n:]
        return chunk

    def close(self) -> None:
        # Best effort: giving usblp its device back must not hide the job's outcome.
        try:
            if self.claimed:
                usb.util.release_interface(self.dev, self.interface)
            if self.detached:
                self.dev.attach_kernel_driver(self.interface)
        except (usb.core.USBError, NotImplementedError):
            pass
        usb.util.dispose_resources(self.dev)


def _bulk_endpoint(intf: Any, direction: int, address: int) -> Any:
    """The endpoint at ``address``, or (address 0) the first bulk one in ``direction``."""
    if address:
        return usb.util.find_descriptor(intf, bEndpointAddress=address)
    return usb.util.find_descriptor(
        intf,
        custom_match=lambda ep: (
            usb.util.endpoint_direction(ep.bEndpointAddress) == direction
            and usb.util.endpoint_type(ep.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
        ),
    )


class _FileConnection(Connection):
    """Appends to a file or a device node such as /dev/usb/lp0; nothing can be read back."""

    readable = False

    def __init__(self, cfg: dict[str, Any], name: str | None) -> None:
        self.path = cfg["path"]
        self.label = name or self.path
        with self._errors():
            self.fh = open(self.path, "ab")  # noqa: SIM115 - closed by close(), after the job

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise PrintError(f"cannot write to {self.path}: {exc}", transient=True) from None

    def write(self, data: bytes) -> None:
        with self._errors():
            self.fh.write(data)
            self.fh.flush()  # here, so a failure is reported rather than swallowed by close()

    def close(self) -> None:
        with suppress(OSError):  # write() already flushed and reported
            self.fh.close()


_CONNECTIONS: dict[str, Callable[[dict[str, Any], str | None], Connection]] = {
    "network": _NetworkConnection,
    "serial": _SerialConnection,
    "usb": _UsbConnection,
    "file": _FileConnection,
}


@contextmanager
def _connect(cfg: dict[str, Any], name: str | None) -> Iterator[Connection]:
    opener = _CONNECTIONS.get(cfg["transport"])
    if opener is None:
        raise PrintError(f"unknown transport {cfg['transport']!r}", transient=False)
    conn = opener(cfg, name)
    try:
        yield conn
    finally:
        conn.close()


def _check_file(cfg: dict[str, Any], name: str | None) -> Health:
    # Opening for append would create the file; only look whether we could.
    path = cfg["path"]
    target = Path(path)
    if not path or not os.access(target if target.exists() else target.parent, os.W_OK):
        return Health("offline", f"cannot write to {path}")
    return _cannot_report(name or path)


# --- cups ----------------------------------------------------------------------------------


def _send_cups(cfg: dict[str, Any], payload: bytes, *, raw: bool, name: str) -> Health:
    lp = shutil.which("lp")
    if lp is None:
        raise PrintError("CUPS client 'lp' is not installed", transient=False)
    queue = cfg["queue"]
    timeout = float(cfg["timeout_seconds"])
    # No -d with an empty queue: lp then uses the system's default destination.
    args = [lp, *(["-d", queue] if queue else []), *(["-o", "raw"] if raw else []), "-t", name]
    try:
        result = subprocess.run(args, input=payload, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PrintError(f"lp did not return within {timeout:g} s", transient=True) from None
    except OSError as exc:
        raise PrintError(f"cannot run lp: {exc}", transient=True) from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise PrintError(
            f"lp failed for queue {queue}: {message or f'exit status {result.returncode}'}",
            transient=True,
        )
    return _cannot_report(f"CUPS queue {queue}")


def _check_cups(cfg: dict[str, Any], name: str | None) -> Health:
    queue = cfg["queue"]
    label = name or f"CUPS queue {queue}"
    if shutil.which("lp") is None:
        return Health("offline", "CUPS client 'lp' is not installed")
    lpstat = shutil.which("lpstat")
    if lpstat is None or not queue:
        return _cannot_report(label)
    try:
        result = subprocess.run(
            [lpstat, "-p", queue],
            capture_output=True,
            text=True,
            timeout=float(cfg["timeout_seconds"]),
            env={**os.environ, "LC_ALL": "C"},  # we parse the English word "disabled"
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Health("offline", f"lpstat failed: {exc}")
    if result.returncode != 0:
        return Health("offline", result.stderr.strip() or f"lpstat -p {queue} failed")
    if "disabled" in result.stdout:
        return Health("offline", f"CUPS queue {queue} is disabled")
    return _cannot_report(label)
