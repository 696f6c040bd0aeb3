"""Configuration layers, validation and the committed defaults."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from onestop import config
from onestop.config import ConfigError, ConfigWarning, load_config


def test_committed_config_toml_states_every_default() -> None:
    committed = tomllib.loads(config.REPO_CONFIG.read_text())
    for section, keys in config.SCHEMA.items():
        assert committed[section] == keys, f"[{section}] in config.toml differs from the schema"
    assert committed["priority_classes"] == config.DEFAULT_PRIORITY_CLASSES
    assert committed["secret_key"] == ""


def test_site_file_then_environment_override(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[office]\nname = "UBND phường Một"\n[database]\nurl = "sqlite:///a.db"\n')
    cfg = load_config(
        environ={
            "ONESTOP_CONFIG": str(site),
            "ONESTOP_DATABASE__URL": "sqlite:///b.db",
            "ONESTOP_QUEUE__NUMBER_DIGITS": "4",
            "ONESTOP_DATABASE__ECHO": "false",
            "ONESTOP_SECRET_KEY": "s3cret",
        }
    )
    assert cfg["office"]["name"] == "UBND phường Một"
    assert cfg["database"]["url"] == "sqlite:///b.db"
    assert cfg["queue"]["number_digits"] == 4
    assert cfg["database"]["echo"] is False
    assert cfg["secret_key"] == "s3cret"


def test_unknown_keys_warn(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[office]\nnmae = 'typo'\n[nonsense]\nx = 1\n")
    with pytest.warns(ConfigWarning) as record:
        load_config(environ={"ONESTOP_CONFIG": str(site)})
    messages = " ".join(str(w.message) for w in record)
    assert "office.nmae" in messages
    assert "[nonsense]" in messages


@pytest.mark.parametrize(
    ("environ", "needle"),
    [
        ({"ONESTOP_OFFICE__CODE": " "}, "office.code"),
        ({"ONESTOP_DATABASE__URL": ""}, "database.url"),
        ({"ONESTOP_OFFICE__TIMEZONE": "Mars/Olympus"}, "time zone"),
        ({"ONESTOP_QUEUE__NUMBER_DIGITS": "three"}, "must be a number"),
        ({"ONESTOP_HOURS__MORNING": "11:30-07:00"}, "hours.morning"),
        ({"ONESTOP_CONFIG": "/nonexistent/site.toml"}, "not found"),
        ({"ONESTOP_REALTIME__ASYNC_MODE": "eventlet"}, "realtime.async_mode"),
        ({"ONESTOP_SECURITY__TICKET_RATE_LIMIT": "30 a minute"}, "not a rate limit"),
    ],
)
def test_bad_configuration_fails_clearly(environ: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_config(environ=environ)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[office\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(environ={"ONESTOP_CONFIG": str(site)})


def test_printer_tables_take_defaults_and_validate(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[printers.spare-1]\ntransport = "network"\nhost = "127.0.0.1"\n')
    cfg = load_config(environ={"ONESTOP_CONFIG": str(site)})
    assert cfg["printers"]["spare-1"]["port"] == 9100
    assert cfg["printers"]["spare-1"]["paper_mm"] == 80
    for table, message in [
        ("paper_mm = 72", "paper_mm 72 is not one of 58, 80"),
        ('mode = "graphics"', "mode 'graphics' is not one of 'raster', 'text', 'hybrid'"),
        ('transport = "bluetooth"', "transport 'bluetooth' is not one of"),
        ('page = "Letter"', "page 'Letter' is not one of '', 'A4', 'A5'"),
        ('transport = "usb"', "transport 'usb' needs vendor_id to be set"),
        ('transport = "serial"', "transport 'serial' needs device to be set"),
        ('transport = "cups"', "transport 'cups' needs queue to be set"),
    ]:
        site.write_text(f"[printers.spare-1]\n{table}\n")
        with pytest.raises(
            ConfigError, match=re.escape("printers.spare-1") + ".*" + re.escape(message)
        ):
            load_config(environ={"ONESTOP_CONFIG": str(site)})


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:5000"),
        ({"ONESTOP_SERVER__PORT": "5123"}, "http://127.0.0.1:5123"),
        (
            {"ONESTOP_SERVER__HOST": "0.0.0.0", "ONESTOP_SERVER__PORT": "8080"},
            "http://127.0.0.1:8080",
        ),
        ({"ONESTOP_SERVER__HOST": "::1"}, "http://[::1]:5000"),
        (
            {"ONESTOP_SERVER__PORT": "5123", "ONESTOP_OFFICE__PUBLIC_URL": "https://motcua.vn"},
            "https://motcua.vn",
        ),
    ],
)
def test_the_public_url_follows_the_served_address_unless_set(
    environ: dict[str, str], url: str
) -> None:
    assert load_config(environ=environ)["office"]["public_url"] == url


def test_serve_links_follow_the_port_it_is_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrated_template: Path
) -> None:
    """`onestop serve --port P` prints its QR codes for P, not for the configured port."""
    from click.testing import CliRunner

    from onestop import cli, server

    served: list[Any] = []
    monkeypatch.setattr(
        server, "serve", lambda app, _host, port, _threads: served.append((app, port))
    )
    shutil.copy(migrated_template, tmp_path / "x.db")  # serve starts only on a migrated database
    env = {"ONESTOP_DATABASE__URL": f"sqlite:///{tmp_path / 'x.db'}", "ONESTOP_SECRET_KEY": "k"}
    result = CliRunner().invoke(cli.main, ["serve", "--port", "5999"], env=env)
    assert result.exit_code == 0, result.output
    ((app, port),) = served
    assert port == 5999
    assert app.extensions["onestop.rules"].public_url == "http://127.0.0.1:5999"
    # The worker makes its own app from the same overrides: it serves the same address.
    assert app.extensions["onestop.overrides"] == {"server": {"port": 5999}}


def test_only_an_evented_serve_patches_the_standard_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`onestop serve` prepares gevent before anything loads; other commands, a threaded serve
    and a configuration with a mistake (reported by the command itself) do not; an app made
    in a process that was not patched (this one, a command) runs threads whatever the file says."""
    from onestop import __main__ as launcher
    from onestop.app import async_mode

    assert launcher._serves_evented(["onestop", "serve"])
    assert not launcher._serves_evented(["onestop", "init", "--demo"])
    assert not launcher._serves_evented(["onestop"])
    monkeypatch.setenv("ONESTOP_REALTIME__ASYNC_MODE", "threading")
    assert not launcher._serves_evented(["onestop", "serve"])
    monkeypatch.setenv("ONESTOP_REALTIME__ASYNC_MODE", "eventlet")
    assert not launcher._serves_evented(["onestop", "serve"])
    assert async_mode({"realtime": {"async_mode": "gevent"}}) == "threading"


def test_a_message_queue_other_than_redis_is_refused_by_name() -> None:
    from onestop.app import create_app

    with pytest.raises(ConfigError, match=r"realtime\.message_queue"):
        create_app({"realtime": {"message_queue": "amqp://guest@127.0.0.1//"}})
