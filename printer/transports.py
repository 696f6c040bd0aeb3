"""Where the bytes go. Each transport raises :class:`PrintError` with a reason on failure."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from PIL import Image


class PrintError(Exception):
    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def send(
    cfg: dict[str, Any], data: bytes, image: Image.Image, *, name: str, data_dir: Path
) -> None:
    """Deliver one job, or raise PrintError."""
    transport = cfg["transport"]
    if transport == "virtual":
        folder = data_dir / "prints"
        folder.mkdir(parents=True, exist_ok=True)
        image.save(folder / f"{name}.png")
        (folder / f"{name}.bin").write_bytes(data)
        return
    if transport == "network":
        try:
            with socket.create_connection(
                (cfg["host"], cfg["port"]), timeout=cfg["timeout_seconds"]
            ) as conn:
                conn.sendall(data)
        except TimeoutError:
            raise PrintError(
                f"printer {cfg['host']}:{cfg['port']} timed out", transient=True
            ) from None
        except OSError as exc:
            raise PrintError(
                f"printer {cfg['host']}:{cfg['port']} unreachable: {exc}", transient=True
            ) from None
        return
    if transport == "file":
        try:
            with open(cfg["path"], "ab") as fh:
                fh.write(data)
        except OSError as exc:
            raise PrintError(f"cannot write to {cfg['path']}: {exc}", transient=True) from None
        return
    raise PrintError(f"unknown transport {transport!r}", transient=False)
