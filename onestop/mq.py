"""The Redis message queue between server processes, made to ride out a Redis restart.

python-socketio's Redis manager, with two changes:

- a publish that fails raises :class:`QueueDown` instead of logging "giving up" and returning,
  so the sender (``onestop.emitter``) knows the push did not leave and can hold it;
- the listener subscribes again within ``RETRY_SECONDS`` of Redis answering, instead of after a
  back-off that doubles up to a minute (whatever other processes publish meanwhile is missed:
  Redis keeps no pub/sub history).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import socketio

log = logging.getLogger(__name__)


class QueueDown(ConnectionError):
    """The message queue did not take a push."""


class RedisQueue(socketio.RedisManager):
    RETRY_SECONDS = 1.0
    connected: bool  # the manager's own flag: False makes the next publish connect again

    def _publish(self, data: Any) -> Any:
        try:
            if not self.connected:
                self._redis_connect()
            return self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as exc:
            self.connected = False
            raise QueueDown(f"the message queue is unreachable: {exc}") from exc

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    log.info("listening to the message queue")
                yield from self.pubsub.listen()
            except Exception as exc:  # noqa: BLE001 - Redis restarting or cut off: listen again
                if subscribed:
                    log.warning("lost the message queue (%s); listening again", exc)
                subscribed = False
                time.sleep(self.RETRY_SECONDS)
