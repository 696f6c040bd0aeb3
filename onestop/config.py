"""Configuration: TOML, loaded once, validated.

Layers, later wins: the built-in schema defaults, the repository's commented ``config.toml``, the
site file named by ``ONESTOP_CONFIG``, environment variables ``ONESTOP_<SECTION>__<KEY>`` (and
``ONESTOP_SECRET_KEY``), then the ``overrides`` mapping given to ``create_app`` (tests).

Unknown keys warn (a typo must not silently do nothing); a required key left empty is an error.
"""

from __future__ import annotations

import copy
import os
import tomllib
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"

# section -> key -> default. The type of each default is the type the key must have.
SCHEMA: dict[str, dict[str, Any]] = {
    "office": {
        "code": "UBND-XA-DEMO",
        "name": "Trung tâm Phục vụ hành chính công xã Demo",
        "timezone": "Asia/Ho_Chi_Minh",
        "public_url": "",  # empty: follow the served address (served_url)
        "place_name": "Demo",  # the địa danh of a paper's date line; required to print a slip
        "parent_body": "UBND xã Demo",  # the body above the unit on a paper; required too
        "phone": "0200 3 812 345",  # on the papers, where the citizen asks for help
    },
    "database": {
        "url": "sqlite:///var/onestop.db",
        "busy_timeout_ms": 10000,
        "pool_size": 20,
        "echo": False,
    },
    "realtime": {
        "async_mode": "gevent",
        "message_queue": "",
        "cors_allowed_origins": "",
        "coalesce_ms": 50,
    },
    "server": {
        "host": "127.0.0.1",
        "port": 5000,
        "connections": 10000,
        "trusted_proxies": 0,
        "threads": 64,
        "data_dir": "var",
    },
    "hours": {
        "morning": "07:00-11:30",
        "afternoon": "13:30-17:00",
    },
    "queue": {
        "number_digits": 3,
        "default_service_minutes": 6,
        "no_show_after_recalls": 3,
        "housekeeping_seconds": 60,
    },
    "kiosk": {
        "idle_seconds": 45,
        "ticket_seconds": 20,
        "print_failed_seconds": 90,
        "public_after_seconds": 180,
    },
    "printing": {
        "health_seconds": 30,
        "agent_lease_seconds": 60,
    },
    "display": {
        "flash_seconds": 6,
        "recent_calls": 8,
        "chime": True,
        "ticker_seconds": 30,
    },
    "feedback": {
        "forms_directory": "",
        "pad_seconds": 30,
        "reason_seconds": 20,
        "thanks_seconds": 4,
        "pad_window_minutes": 10,
        "survey_days": 30,
        "edit_hours": 24,
    },
    "reports": {
        "period_start_day": 1,  # 1: calendar months; 15: the 15th of the month before to the 14th
        "on_time_target": 100.0,  # the plan's targets, in %, that the dashboard measures against
        "on_the_spot_target": 100.0,
        "reduction_target": 30.0,
        "online_target": 10.0,
        "satisfaction_target": 90.0,
    },
    "security": {
        "token_hours": 12,
        "login_rate_limit": "10 per minute",
        "ticket_rate_limit": "30 per minute",
        "public_rate_limit": "120 per minute",
        "feedback_rate_limit": "10 per minute",
        "ratelimit_storage": "memory://",
        "max_body_bytes": 65536,
    },
}

# Tables whose keys are names chosen by the site, each holding a sub-schema.
NAMED_TABLES: dict[str, dict[str, Any]] = {
    "printers": {
        "transport": "virtual",
        "mode": "raster",
        "profile": "default",
        "paper_mm": 80,
        "page": "",
        "codepage_lower": 0,
        "codepage_upper": 0,
        "host": "",
        "port": 9100,
        "path": "",
        "vendor_id": 0,
        "product_id": 0,
        "usb_interface": 0,
        "usb_out_ep": 0,
        "usb_in_ep": 0,
        "device": "",
        "baudrate": 9600,
        "queue": "",
        "timeout_seconds": 5.0,
        "query_status": False,
        "agent": "",
        "office": "",
    },
    # [offices.<CODE>]: what one office of a deployment has of its own (empty: the
    # deployment's [office] public_url and [hours]).
    "offices": {
        "public_url": "",
        "place_name": "",
        "parent_body": "",
        "phone": "",
        "morning": "",
        "afternoon": "",
    },
}

DEFAULT_PRIORITY_CLASSES: list[dict[str, Any]] = [
    {"code": "elderly_80", "rank": 3, "vi": "Người từ 80 tuổi", "en": "Aged 80 or over"},
    {"code": "disabled", "rank": 2, "vi": "Người khuyết tật", "en": "Person with a disability"},
    {"code": "pregnant", "rank": 2, "vi": "Phụ nữ mang thai", "en": "Pregnant woman"},
    {
        "code": "with_child_under_6",
        "rank": 2,
        "vi": "Người đi cùng trẻ dưới 6 tuổi",
        "en": "With a child under 6",
    },
    {
        "code": "meritorious",
        "rank": 2,
        "vi": "Người có công với cách mạng",
        "en": "Person with meritorious service",
    },
    {"code": "elderly_60", "rank": 1, "vi": "Người cao tuổi (từ 60 tuổi)", "en": "Aged 60 or over"},
    {"code": "sick_or_frail", "rank": 1, "vi": "Người ốm, yếu", "en": "Sick or frail"},
]

REQUIRED = {
    ("office", "code"),
    ("office", "name"),
    ("office", "timezone"),
    ("database", "url"),
}
TOP_LEVEL = {"secret_key": "", "priority_classes": DEFAULT_PRIORITY_CLASSES}
ENV_PREFIX = "ONESTOP_"


ASYNC_MODES = ("gevent", "threading")


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and why."""


class ConfigWarning(UserWarning):
    """A key was given that onestop does not know (probably a typo)."""


def _defaults() -> dict[str, Any]:
    cfg: dict[str, Any] = copy.deepcopy(SCHEMA)
    cfg.update(copy.deepcopy(TOP_LEVEL))
    cfg["printers"] = {}
    cfg["offices"] = {}
    return cfg


def _coerce(value: Any, like: Any, where: str) -> Any:
    """Turn ``value`` into the type of ``like`` (env values arrive as strings)."""
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        }:
            return value.lower() in {"1", "true", "yes", "on"}
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if isinstance(like, int | float) and not isinstance(value, bool):
        try:
            return type(like)(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be a number, got {value!r}") from None
    if isinstance(like, str):
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    return value


def _merge(cfg: dict[str, Any], layer: Mapping[str, Any], origin: str) -> None:
    for section, body in layer.items():
        if section in TOP_LEVEL:
            cfg[section] = (
                body
                if section == "priority_classes"
                else _coerce(body, TOP_LEVEL[section], section)
            )
            continue
        if section in NAMED_TABLES:
            if not isinstance(body, Mapping):
                raise ConfigError(f"[{section}] must be a table ({origin})")
            for name, table in body.items():
                target = cfg[section].setdefault(name, copy.deepcopy(NAMED_TABLES[section]))
                _merge_table(target, table, NAMED_TABLES[section], f"{section}.{name}", origin)
            continue
        if section not in SCHEMA:
            warnings.warn(
                f"unknown configuration section [{section}] in {origin}",
                ConfigWarning,
                stacklevel=3,
            )
            continue
        if not isinstance(body, Mapping):
            raise ConfigError(f"[{section}] must be a table ({origin})")
        _merge_table(cfg[section], body, SCHEMA[section], section, origin)


def _merge_table(
    target: dict[str, Any],
    body: Mapping[str, Any],
    schema: Mapping[str, Any],
    where: str,
    origin: str,
) -> None:
    for key, value in body.items():
        if key not in schema:
            warnings.warn(
                f"unknown configuration key {where}.{key} in {origin}", ConfigWarning, stacklevel=4
            )
            continue
        target[key] = _coerce(value, schema[key], f"{where}.{key}")


def _env_layer(environ: Mapping[str, str]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        if rest == "secret_key":
            layer["secret_key"] = value
        elif "__" in rest:
            parts = rest.split("__")
            if parts[0] in NAMED_TABLES and len(parts) == 3:
                layer.setdefault(parts[0], {}).setdefault(parts[1].replace("_", "-"), {})[
                    parts[2]
                ] = value
            elif len(parts) == 2:
                layer.setdefault(parts[0], {})[parts[1]] = value
    return layer


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def load_config(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Build the validated configuration dictionary (see the module docstring for the layers)."""
    environ = os.environ if environ is None else environ
    cfg = _defaults()
    if REPO_CONFIG.exists():
        _merge(cfg, _read_toml(REPO_CONFIG), str(REPO_CONFIG.name))
    site = environ.get("ONESTOP_CONFIG")
    if site:
        _merge(cfg, _read_toml(Path(site)), site)
    _merge(cfg, _env_layer(environ), "the environment")
    if overrides:
        _merge(cfg, overrides, "overrides")
    if not cfg["office"]["public_url"].strip():
        cfg["office"]["public_url"] = served_url(cfg["server"]["host"], cfg["server"]["port"])
    _validate(cfg)
    return cfg


#: What an office's papers say of it, never inherited from another office (for_office).
LETTERHEAD = ("place_name", "parent_body", "phone")


def for_office(cfg: dict[str, Any], code: str) -> dict[str, Any]:
    """``cfg`` as office ``code`` sees it: its own ``[offices.<code>]`` public URL, place name
    and hours in place of the deployment's, where it sets them (the same ``cfg`` when it sets
    none). What its papers say of it (place name, parent body, phone) is its own or none:
    another commune's would make a false paper."""
    own = cfg["offices"].get(code) or {}
    home = code == cfg["office"]["code"]
    if home and not any(own.values()):
        return cfg
    seen = {**cfg, "office": dict(cfg["office"]), "hours": dict(cfg["hours"])}
    if not home:
        seen["office"].update(code=code, **dict.fromkeys(LETTERHEAD, ""))
    for key, value in own.items():
        if value:
            seen["hours" if key in ("morning", "afternoon") else "office"][key] = value
    return seen


def served_url(host: str, port: int) -> str:
    """The address a server listening on ``host:port`` answers at on this machine."""
    if host in ("", "0.0.0.0", "::"):  # every interface: this machine reaches it on loopback
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _validate(cfg: dict[str, Any]) -> None:
    for section, key in sorted(REQUIRED):
        if not str(cfg[section][key]).strip():
            raise ConfigError(
                f"required configuration key {section}.{key} is empty; set it in "
                f"config.toml, the ONESTOP_CONFIG file or ONESTOP_"
                f"{section.upper()}__{key.upper()}"
            )
    try:
        ZoneInfo(cfg["office"]["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"office.timezone {cfg['office']['timezone']!r} is not a known IANA time zone"
        ) from None
    if cfg["database"]["pool_size"] < 1:
        raise ConfigError("database.pool_size must be at least 1 (connections kept open)")
    for session in ("morning", "afternoon"):
        parse_hours(cfg["hours"][session], f"hours.{session}")
        for code, own in cfg["offices"].items():
            if own[session]:
                parse_hours(own[session], f"offices.{code}.{session}")
    for key, value in cfg["security"].items():
        if key.endswith("_rate_limit"):
            _validate_rate_limit(f"security.{key}", value)
    if cfg["realtime"]["async_mode"] not in ASYNC_MODES:
        raise ConfigError(
            "realtime.async_mode must be 'gevent' (gunicorn's gevent worker: thousands of "
            "screens a process) or 'threading' (its threaded worker: a thread a screen)"
        )
    codes = [c.get("code") for c in cfg["priority_classes"]]
    if any(not isinstance(c, str) or not c for c in codes) or len(set(codes)) != len(codes):
        raise ConfigError("priority_classes need a unique, non-empty code each")
    for name, printer in cfg["printers"].items():
        _validate_printer(name, printer)
    if not 1 <= cfg["reports"]["period_start_day"] <= 28:
        raise ConfigError(
            "reports.period_start_day must be 1 (calendar months) to 28 (a month runs from that "
            "day of the month before to the day before it in the month, e.g. 15 → 15th–14th)"
        )
    for key, value in cfg["reports"].items():
        if key.endswith("_target") and not 0 <= value <= 100:
            raise ConfigError(f"reports.{key} is a percentage: 0 to 100")


def _validate_rate_limit(where: str, value: str) -> None:
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(
            f"{where} {value!r} is not a rate limit: write it as '30 per minute' (or several "
            "joined by ';', per second, minute, hour or day)"
        ) from None


PRINTER_MODES = ("raster", "text", "hybrid")
PRINTER_CHOICES: dict[str, tuple[str | int, ...]] = {
    "transport": ("virtual", "network", "usb", "serial", "file", "cups"),
    "mode": PRINTER_MODES,
    "paper_mm": (58, 80),
    "page": ("", "A4", "A5"),
}
PRINTER_NEEDS = {
    "network": "host",
    "usb": "vendor_id",
    "serial": "device",
    "file": "path",
    "cups": "queue",
}


def _validate_printer(name: str, printer: dict[str, Any]) -> None:
    for key, choices in PRINTER_CHOICES.items():
        if printer[key] not in choices:
            shown = ", ".join(repr(c) for c in choices)
            raise ConfigError(f"printers.{name}.{key} {printer[key]!r} is not one of {shown}")
    if printer["page"] and printer["transport"] not in ("virtual", "cups"):
        raise ConfigError(
            f"printers.{name}: a page printer (page = {printer['page']!r}) takes PDF through "
            "CUPS; use transport 'cups' (or 'virtual' to keep the files)"
        )
    needed = PRINTER_NEEDS.get(printer["transport"])
    if needed and not printer[needed]:
        raise ConfigError(
            f"printers.{name}: transport {printer['transport']!r} needs {needed} to be set"
        )


def data_dir(cfg: dict[str, Any]) -> Path:
    """The folder for the SQLite file, the secret key and virtual printer output."""
    return Path(cfg["server"]["data_dir"]).resolve()


def parse_hours(text: str, where: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """``"07:00-11:30"`` → ((7, 0), (11, 30)); raises ConfigError on anything else."""
    try:
        start, end = (part.strip() for part in text.split("-"))
        sh, sm = (int(x) for x in start.split(":"))
        eh, em = (int(x) for x in end.split(":"))
    except ValueError:
        raise ConfigError(f"{where} must look like 07:00-11:30, got {text!r}") from None
    if not (0 <= sh < 24 and 0 <= eh < 24 and 0 <= sm < 60 and 0 <= em < 60) or (sh, sm) >= (
        eh,
        em,
    ):
        raise ConfigError(f"{where} must be a start before an end within one day, got {text!r}")
    return (sh, sm), (eh, em)
