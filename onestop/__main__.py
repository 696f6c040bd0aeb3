"""The ``onestop`` command (and ``python -m onestop``).

``onestop serve`` on the evented server (``[realtime] async_mode = "gevent"``, the default)
monkey-patches the standard library before anything else is imported: every lock, queue,
socket and thread the program makes is then gevent's, so one process holds thousands of open
WebSockets, each a greenlet instead of a thread. Every other command, and the tests, stay plain.
"""

from __future__ import annotations

import sys


def _serves_evented(argv: list[str]) -> bool:
    if argv[1:2] != ["serve"]:
        return False
    from onestop.config import ConfigError, load_config

    try:
        return load_config()["realtime"]["async_mode"] == "gevent"
    except ConfigError:
        return False  # the command itself reports the mistake


def main() -> None:
    if _serves_evented(sys.argv):
        from gevent import monkey

        monkey.patch_all()
    from onestop.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
