"""The Socket.IO edge: who may connect, and a malformed connect packet costs no traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from onestop.extensions import socketio


@pytest.mark.parametrize("namespace", ["/counter", "/kiosk", "/rating"])
@pytest.mark.parametrize("auth", ["a-key-as-a-string", ["key"], 42])
def test_a_connect_packet_that_is_not_an_object_is_refused_quietly(
    app: Any, client: Any, creds: Any, caplog: Any, namespace: str, auth: Any
) -> None:
    with caplog.at_level(logging.DEBUG):
        connection = socketio.test_client(
            app, namespace=namespace, auth=auth, flask_test_client=client
        )
    assert not connection.is_connected(namespace)
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(("namespace", "device"), [("/kiosk", "kiosk-1"), ("/rating", "rating-1")])
def test_a_device_connects_with_its_key_in_an_object(
    app: Any, client: Any, creds: Any, namespace: str, device: str
) -> None:
    key = creds["devices"][device]
    good = socketio.test_client(
        app, namespace=namespace, auth={"key": key}, flask_test_client=client
    )
    assert good.is_connected(namespace)
    wrong_kind = "/rating" if namespace == "/kiosk" else "/kiosk"
    refused = socketio.test_client(
        app, namespace=wrong_kind, auth={"key": key}, flask_test_client=client
    )
    assert not refused.is_connected(wrong_kind)
