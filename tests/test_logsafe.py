"""Logs at -vv carry no raw customer message, token or secret (issue 10 item 10)."""

from __future__ import annotations

import io
import logging

import pytest

from growthpilot import cli
from growthpilot.logsafe import SafeLogFilter, setup_logging

BOT = "7012345678:AAHkq2dFZr4xYb8cNw3pLm9tVu0sQe1RiOk"  # Telegram token shape
SLACK_BOT = "xoxb-1111111111-2222222222222-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_APP = "xapp-1-A0123456789-1234567890123-abcdef0123456789"
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
WEBHOOK = "hook-secret-Qw3rTy"
PSEUDO_KEY = "ab" * 32
CUSTOMER = "my phone is 13812345678 and mail zhang.wei@example.com"
RAW = [BOT, SLACK_BOT, SLACK_APP, SIGNING, WEBHOOK, PSEUDO_KEY, "13812345678", "zhang.wei@example.com"]


@pytest.fixture
def secret_env(monkeypatch):
    for name, value in {"TELEGRAM_BOT_TOKEN": BOT, "SLACK_BOT_TOKEN": SLACK_BOT, "SLACK_APP_TOKEN": SLACK_APP,
                        "SLACK_SIGNING_SECRET": SIGNING, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK,
                        "GROWTHPILOT_PSEUDONYM_KEY": PSEUDO_KEY}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def restore_root():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)


def _emit_like_the_libraries():
    logging.getLogger("httpx").debug('HTTP Request: POST https://api.telegram.org/bot%s/sendMessage "HTTP/1.1 200 OK"', BOT)
    logging.getLogger("telegram.ext.Updater").debug("Processing update %r", {"message": {"text": CUSTOMER}})
    logging.getLogger("slack_bolt.App").debug("headers: Authorization: Bearer %s", SLACK_BOT)
    logging.getLogger("slack_sdk.socket_mode").debug("connecting with %s", SLACK_APP)
    logging.getLogger("growthpilot.telegram").info("webhook secret %s, signing %s, key %s", WEBHOOK, SIGNING, PSEUDO_KEY)
    try:
        raise RuntimeError(f"bad reply for {CUSTOMER} via token {BOT}")
    except RuntimeError:
        logging.getLogger("growthpilot").exception("internal error x")
    logging.getLogger("growthpilot.bot").warning("stack", stack_info=True, extra={})
    logging.getLogger("other").debug("unrelated token-shaped " + "xoxp-9999999999-abcdefghijk")


def test_vv_log_masks_secrets_and_redacts_customer_text(secret_env, restore_root):
    buf = io.StringIO()
    setup_logging(2, stream=buf)
    _emit_like_the_libraries()
    log = buf.getvalue()
    for raw in RAW + ["xoxp-9999999999-abcdefghijk"]:
        assert raw not in log, raw
    assert "[SECRET]" in log and "[PHONE]" in log and "[EMAIL]" in log
    assert "Processing update" in log and "RuntimeError" in log  # the records are still there
    assert log.count("DEBUG") >= 4  # -vv really logs debug


def test_cli_installs_the_filter(secret_env, restore_root, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["config", "show", "-vv"])
    root = logging.getLogger()
    ours = [h for h in root.handlers if any(isinstance(f, SafeLogFilter) for f in h.filters)]
    assert len(ours) == 1 and root.level == logging.DEBUG
    assert code in (0, 2)
    logging.getLogger("telegram.ext").debug("update text %s token %s", CUSTOMER, BOT)
    err = capsys.readouterr().err
    assert "update text my phone is [PHONE]" in err and BOT not in err


def test_filter_survives_a_bad_format_string():
    f = SafeLogFilter([WEBHOOK], redact=lambda s: s)
    rec = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s %s", (WEBHOOK,), None)
    assert f.filter(rec) and WEBHOOK not in rec.getMessage()


async def test_telegram_customer_flow_at_vv_leaks_nothing(tmp_path, secret_env, restore_root, monkeypatch):
    """The real adapter, PTB and httpx against the fake Bot API, logging at DEBUG."""
    pytest.importorskip("bot.assistant")
    from fakes.real_assistant import real_assistant
    from fakes.telegram_api import TOKEN, FakeTelegramAPI
    from fakes.telegram_harness import start_harness

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    buf = io.StringIO()
    setup_logging(2, stream=buf)
    tg = await FakeTelegramAPI().start()
    assistant, _ = real_assistant(tmp_path, ["Returns are accepted within 7 days of delivery [1]."])
    h = await start_harness(assistant, tmp_path / "channels.sqlite", fake=tg)
    try:
        tg.text_update(f"How long do I have to return? {CUSTOMER}", chat_id=555)
        await tg.wait_calls("sendMessage", 1, timeout=20)
        await h.adapter.inflight.join()
    finally:
        await h.close()
        assistant.close()
        await tg.stop()
    log = buf.getvalue()
    assert "DEBUG" in log and "getUpdates" in log  # the libraries did log at debug
    for raw in (TOKEN, "13812345678", "zhang.wei@example.com"):
        assert raw not in log, raw
