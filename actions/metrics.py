"""Prometheus metrics of the action server: the guard's checks of the bot's own replies and the time each
action takes. Served on their own port when ACTION_METRICS_PORT is set (rasa-sdk's web server has no place
for another route), started once when the action server imports the actions."""

from __future__ import annotations

import logging
import os

from prometheus_client import Counter, Histogram, start_http_server

logger = logging.getLogger(__name__)

BOT_REPLIES_CHECKED = Counter("complaint_desk_bot_replies_checked", "Bot replies checked by the guard")
BOT_REPLIES_REWRITTEN = Counter("complaint_desk_bot_replies_rewritten",
                                "Bot replies the guard blocked and replaced by their rewrite, by finding family",
                                ["family"])
ACTION_SECONDS = Histogram("complaint_desk_action_seconds", "Time a custom action takes, by action", ["action"],
                           buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5))


def serve_from_environment() -> int | None:
    """Start the metrics endpoint on ACTION_METRICS_PORT, if set; returns the port."""
    port = os.environ.get("ACTION_METRICS_PORT")
    if not port:
        return None
    start_http_server(int(port))
    logger.info("动作服务器指标：http://0.0.0.0:%s/metrics", port)
    return int(port)
