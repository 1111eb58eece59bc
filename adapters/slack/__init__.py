"""Slack channel (slack-bolt, async): Events API over HTTP or Socket Mode."""

from .adapter import SlackAdapter
from .app import build_slack_app, SlackCredentials
from .handover import SlackHandoverNotifier
from .server import SlackHttpServer

__all__ = ["SlackAdapter", "SlackCredentials", "SlackHandoverNotifier", "SlackHttpServer", "build_slack_app"]
