"""`growthpilot serve`: credentials from the environment, both channels in one loop, graceful stop."""

from __future__ import annotations

import asyncio
import json
import os
import signal

import pytest

from adapters.service import install_signal_handlers, run_channels
from adapters.slack.channel import SlackChannel
from adapters.telegram.channel import TelegramChannel
from fakes.assistant import ScriptedAssistant
from fakes.slack_api import FakeSlackAPI, event_body, mention, slash_form
from fakes.slack_harness import start_harness as start_slack
from fakes.telegram_api import FakeTelegramAPI
from fakes.telegram_harness import start_harness as start_telegram
from growthpilot.cli import main

ENV_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")


@pytest.fixture
def config(tmp_path, monkeypatch):
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "config.toml"
    path.write_text('[data]\ndir = "state"\n[telegram]\nmode = "webhook"\nwebhook_url = "https://x.example/hook"\n')
    return path


def test_missing_slack_token_is_a_user_error_naming_the_variable(config, capsys):
    assert main(["serve", "--config", str(config), "--slack", "--no-telegram"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is not set" in err and "export SLACK_BOT_TOKEN" in err


def test_http_mode_needs_the_signing_secret(config, capsys, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["serve", "--config", str(config), "--slack", "--no-telegram"]) == 2
    assert "SLACK_SIGNING_SECRET is not set" in capsys.readouterr().err


def test_webhook_mode_needs_the_webhook_secret(config, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    assert main(["serve", "--config", str(config), "--no-slack", "--telegram"]) == 2
    assert "TELEGRAM_WEBHOOK_SECRET is not set" in capsys.readouterr().err


def test_no_channel_enabled_is_explained(config, capsys):
    assert main(["serve", "--config", str(config)]) == 2
    assert "no channel to serve" in capsys.readouterr().err


async def test_sigterm_sets_the_stop_event():
    stop = asyncio.Event()
    install_signal_handlers(stop)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(stop.wait(), 2)
    assert stop.is_set()


async def test_stop_finishes_in_flight_replies_on_both_channels_and_refuses_new_work(tmp_path):
    slack_fake, tg_fake = await FakeSlackAPI().start(), await FakeTelegramAPI().start()
    shared = ScriptedAssistant("finished after stop", delay_s=0.6)  # one assistant, one "model" for both
    slack = await start_slack(shared, tmp_path / "a.sqlite", fake=slack_fake, start=False)
    tg = await start_telegram(shared, tmp_path / "b.sqlite", fake=tg_fake, start=False)
    channels = [
        SlackChannel(slack.adapter, http=slack.server, host="127.0.0.1", port=0),
        TelegramChannel(tg.adapter, tg.runner),
    ]
    stop, ready = asyncio.Event(), asyncio.Event()
    runner = asyncio.create_task(run_channels(channels, stop, grace_s=5, ready=ready))
    await asyncio.wait([asyncio.ensure_future(ready.wait()), runner], return_when=asyncio.FIRST_COMPLETED, timeout=5)
    assert ready.is_set(), runner.exception() if runner.done() else "not ready"
    slack.url = f"http://127.0.0.1:{slack.server.port}/slack/events"
    try:
        assert (await slack.post_signed(event_body(mention("q"), event_id="EvStop"))).status == 200
        tg_fake.text_update("q", chat_id=5)
        while shared.started < 2:
            await asyncio.sleep(0.02)
        stop.set()  # what SIGTERM does
        await asyncio.sleep(0.1)
        late = await slack.post_signed(event_body(mention("late"), event_id="EvLate"))
        summary = await asyncio.wait_for(runner, 5)
    finally:
        await slack.session.close()
        slack.ledger.close()
        tg.ledger.close()
        await slack_fake.stop()
        await tg_fake.stop()
    assert late.status == 503  # Slack will redeliver it to the next process
    assert summary == {"cancelled": {"slack": 0, "telegram": 0}}
    assert shared.finished == 2 and [m.text for m in shared.messages] == ["q", "q"]
    assert slack_fake.calls_to("chat.update")[-1].params["text"] == "finished after stop"
    assert tg_fake.calls_to("sendMessage")[-1].params["text"] == "finished after stop"


async def _run_until_stopped(channels, start_work, *, grace_s: float):
    """Start `channels`, call `start_work()` (await), then stop as SIGTERM would; returns the summary."""
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run_channels(channels, stop, grace_s=grace_s, ready=ready))
    await asyncio.wait([asyncio.ensure_future(ready.wait()), task], return_when=asyncio.FIRST_COMPLETED, timeout=5)
    assert ready.is_set(), task.exception() if task.done() else "not ready"
    await start_work()
    stop.set()
    return await asyncio.wait_for(task, 10)


@pytest.mark.parametrize("question, expected", [("q", "Interrupted"), ("退货政策是什么", "中断")])
async def test_work_past_the_grace_period_is_interrupted_visibly_and_left_for_a_retry(tmp_path, question, expected):
    fake = await FakeSlackAPI().start()
    slow = ScriptedAssistant("never", delay_s=30, partials=["Returns are"], partial_every_s=0.01)
    h = await start_slack(slow, tmp_path / "s.sqlite", fake=fake, start=False, update_interval_s=0.05)

    async def work():
        h.url = f"http://127.0.0.1:{h.server.port}/slack/events"
        await h.post_signed(event_body(mention(question), event_id="EvGrace"))
        await fake.wait_calls("chat.update", 1)  # the answer is growing
    try:
        summary = await _run_until_stopped([SlackChannel(h.adapter, http=h.server, host="127.0.0.1", port=0)], work, grace_s=0.2)
        status = h.ledger.status("EvGrace")
    finally:
        await h.session.close()
        h.ledger.close()
    assert summary == {"cancelled": {"slack": 1}}
    (placeholder,) = fake.calls_to("chat.postMessage")
    last = fake.calls_to("chat.update")[-1]
    assert last.params["ts"] == placeholder.params.get("ts", last.params["ts"])
    assert expected in last.params["text"] and "…" not in last.params["text"].rstrip()[-1:]
    assert status is None  # not recorded as answered: a redelivery is answered
    # the next process gets the retry and answers it
    fast = ScriptedAssistant("answered after the restart")
    h2 = await start_slack(fast, tmp_path / "s.sqlite", fake=fake)
    try:
        await h2.post_signed(event_body(mention(question), event_id="EvGrace"), retry_num=1)
        await fake.wait_for(lambda f: f.calls_to("chat.update")[-1].params["text"] == "answered after the restart")
    finally:
        await h2.close()
        await fake.stop()
    assert [m.text for m in fast.messages] == [question]


async def test_a_slash_command_past_the_grace_period_is_told_it_was_interrupted(tmp_path):
    fake = await FakeSlackAPI().start()
    h = await start_slack(ScriptedAssistant("never", delay_s=30), tmp_path / "s.sqlite", fake=fake, start=False)

    async def work():
        h.url = f"http://127.0.0.1:{h.server.port}/slack/events"
        await h.post_signed(slash_form("report funnel", response_url=fake.response_url("c")), content_type="application/x-www-form-urlencoded")
        while h.adapter.assistant.started < 1:
            await asyncio.sleep(0.02)
    try:
        await _run_until_stopped([SlackChannel(h.adapter, http=h.server, host="127.0.0.1", port=0)], work, grace_s=0.2)
    finally:
        await h.session.close()
        h.ledger.close()
        await fake.stop()
    (answer,) = fake.calls_to("response_url")
    assert "Interrupted" in answer.params["text"] and answer.params["replace_original"] is True


async def test_telegram_answers_past_the_grace_period_say_so_and_stay_unrecorded(tmp_path):
    fake = await FakeTelegramAPI().start()
    slow = ScriptedAssistant("never", delay_s=30)
    tg = await start_telegram(slow, tmp_path / "t.sqlite", fake=fake, start=False)
    update = {}

    async def work():
        update.update(fake.text_update("where is my parcel?", chat_id=42))
        while slow.started < 1:
            await asyncio.sleep(0.02)
    try:
        summary = await _run_until_stopped([TelegramChannel(tg.adapter, tg.runner)], work, grace_s=0.2)
        status = tg.ledger.status(f"tg:{update['update_id']}")
    finally:
        tg.ledger.close()
        await fake.stop()
    assert summary == {"cancelled": {"telegram": 1}}
    (sent,) = fake.calls_to("sendMessage")
    assert sent.params["chat_id"] == "42" and "Interrupted" in sent.params["text"]
    assert status is None


async def test_serve_wires_both_channels_with_one_generator_and_stops_on_sigterm(tmp_path, monkeypatch):
    import socket

    from adapters.slack.app import SlackCredentials
    from adapters.telegram.app import TelegramCredentials
    from fakes.slack_harness import SECRET
    from fakes.telegram_api import TOKEN
    from growthpilot import wiring
    from growthpilot.commands import serve as serve_cmd
    from growthpilot.config import parse_config_text

    slack_fake, tg_fake = await FakeSlackAPI().start(), await FakeTelegramAPI().start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = parse_config_text(
        f'[data]\ndir = "data"\n'
        f'[slack]\nenabled = true\napi_base_url = "{slack_fake.base_url}"\nhttp_host = "127.0.0.1"\nhttp_port = {port}\n'
        f'handover_channel = "CHANDOVER"\n'
        f'[telegram]\nenabled = true\napi_base_url = "{tg_fake.base_url}"\npoll_timeout_s = 1.0\nteam_chats = [-100]\n'
        f'[serve]\nshutdown_grace_s = 5.0\n',
        base_dir=tmp_path,
    )
    class Worker:  # stands in for the one model worker (llm.worker.LocalGenerator)
        closed = 0

        def close(self):
            Worker.closed += 1

    generator, built = Worker(), []

    def fake_build(cfg_, audience="team", *, notify_handover=None, generator=None, embedder=None, progress=True):
        kw = {"notify_handover": notify_handover, "generator": generator, "embedder": embedder}
        built.append((audience, kw))
        return ScriptedAssistant(f"{audience} answer")

    monkeypatch.setattr(wiring, "build_assistant", fake_build)
    monkeypatch.setattr(wiring, "build_generator", lambda cfg_, **kw: generator)
    monkeypatch.setattr(wiring, "build_embedder", lambda cfg_: "embedder")
    task = asyncio.create_task(serve_cmd._serve(cfg, {"slack": SlackCredentials("xoxb-test-token", SECRET), "telegram": TelegramCredentials(TOKEN)}))
    try:
        await tg_fake.wait_calls("getUpdates", 1)
        slack = await start_slack(None, tmp_path / "unused.sqlite", fake=slack_fake, start=False)  # only for post_signed
        slack.url = f"http://127.0.0.1:{port}/slack/events"
        assert (await slack.post_signed(event_body(mention("numbers?"), event_id="EvServe"))).status == 200
        tg_fake.text_update("where is my parcel?", chat_id=31)
        (update,) = await slack_fake.wait_calls("chat.update", 1)
        (sent,) = await tg_fake.wait_calls("sendMessage", 1)
        os.kill(os.getpid(), signal.SIGTERM)
        summary = await asyncio.wait_for(task, 10)
        await slack.session.close()
        slack.ledger.close()
    finally:
        if not task.done():
            task.cancel()
        await slack_fake.stop()
        await tg_fake.stop()
    assert summary == {"cancelled": {"slack": 0, "telegram": 0}, "channels": ["slack", "telegram"]}
    assert [a for a, _ in built] == ["team", "customer"]
    from bot.waiting_line import WaitingLine

    line = built[0][1]["generator"]
    assert isinstance(line, WaitingLine) and line.inner is generator  # one model worker, a fair line in front of it
    assert all(kw["generator"] is line and kw["embedder"] == "embedder" for _, kw in built)
    assert Worker.closed == 1  # ... closed once at the end (its thread joined)
    assert all(kw["notify_handover"].channel == "CHANDOVER" for _, kw in built)  # hand-overs go to Slack
    assert update.params["text"] == "team answer" and sent.params["text"] == "customer answer"
    assert (tmp_path / "data" / "channels.sqlite").exists()


async def test_a_busy_port_is_a_user_facing_error(tmp_path):
    import socket

    from adapters.service import ChannelStartError

    fake = await FakeSlackAPI().start()
    h = await start_slack(ScriptedAssistant(), tmp_path / "s.sqlite", fake=fake, start=False)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        channel = SlackChannel(h.adapter, http=h.server, host="127.0.0.1", port=port)
        with pytest.raises(ChannelStartError, match=r"http_port") as err:
            await channel.start()
    await h.close()
    await fake.stop()
    assert getattr(err.value, "user_facing", False)


async def test_sigterm_mid_answer_in_a_real_serve_process_exits_0_and_closes_the_model_worker(tmp_path):
    """`serve` as a child process, a real LocalGenerator thread busy generating, SIGTERM past the grace period."""
    import socket
    import sys
    from pathlib import Path

    import aiohttp

    from adapters.dedupe import EventLedger
    from fakes.slack_api import sign
    from fakes.slack_harness import SECRET

    fake = await FakeSlackAPI().start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[data]\ndir = "data"\n[generation]\nmax_new_tokens = 600\n'
        f'[slack]\nenabled = true\napi_base_url = "{fake.base_url}"\nhttp_host = "127.0.0.1"\nhttp_port = {port}\nupdate_interval_s = 0.2\n'
        f'[serve]\nshutdown_grace_s = 0.5\n')
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env.update(SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET=SECRET, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    child = Path(__file__).parent / "fakes" / "serve_child.py"
    proc = await asyncio.create_subprocess_exec(sys.executable, str(child), str(config), "--json", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    body = event_body(mention("/ask How do returns work?"), event_id="EvTerm")
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(600):  # the child imports torch and builds the model: allow a loaded machine a minute
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if proc.returncode is not None:
                    break
                await asyncio.sleep(0.1)
            headers = {"Content-Type": "application/json", **sign(SECRET, body)}
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers) as r:
                assert r.status == 200
        await fake.wait_calls("chat.update", 1, timeout=30)  # streaming: the worker thread is generating now
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await fake.stop()
    stderr = err.decode(errors="replace")
    assert proc.returncode == 0, stderr[-3000:]
    assert "terminate called" not in stderr
    assert "model worker threads alive at exit: 0" in stderr  # closed and joined, not left to die with the interpreter
    summary = json.loads(out.decode())
    assert summary["cancelled"] == {"slack": 1}
    assert "Interrupted" in fake.calls_to("chat.update")[-1].params["text"]
    ledger = EventLedger(tmp_path / "data" / "channels.sqlite")
    try:
        assert ledger.status("EvTerm") is None
    finally:
        ledger.close()


def test_a_new_channel_is_one_module_plus_one_registry_line(tmp_path, monkeypatch, capsys):
    from adapters import registry
    from fakes import echo_channel
    from growthpilot import wiring
    from growthpilot.cli import main

    monkeypatch.setitem(registry.CHANNELS, "echo", "fakes.echo_channel:SPEC")  # the one line
    monkeypatch.setattr(wiring, "build_assistant", lambda cfg, audience="team", **kw: ScriptedAssistant(f"{audience} says hi"))
    monkeypatch.setattr(wiring, "build_generator", lambda cfg, **kw: ScriptedAssistant())
    monkeypatch.setattr(wiring, "build_embedder", lambda cfg: None)
    config = tmp_path / "config.toml"
    config.write_text('[data]\ndir = "state"\n')
    echo_channel.ANSWERS.clear()
    assert main(["serve", "--config", str(config), "--echo", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["channels"] == ["echo"] and out["cancelled"] == {"echo": 0}
    assert echo_channel.ANSWERS == ["team says hi"]


def test_start_up_warms_the_models_off_the_event_loop(tmp_path, monkeypatch, capsys):
    """The intent classifier and the sentiment model load on first use (seconds); serve loads them at
    start-up in a worker thread, so the first message does not stall every channel's acks."""
    import threading

    from adapters import registry
    from fakes import echo_channel
    from growthpilot import wiring
    from growthpilot.cli import main

    seen: list[tuple[str, str]] = []

    class Loads:
        def __init__(self, what):
            self.what = what

        def parse(self, text):
            seen.append((self.what, threading.current_thread().name))

        def analyze(self, texts):
            seen.append((self.what, threading.current_thread().name))
            return []

    def build(cfg, audience="team", **kw):
        a = ScriptedAssistant(f"{audience} says hi")
        a.intents = Loads("intents")
        a._support = type("S", (), {"_sentiment": Loads("sentiment")})()
        return a

    monkeypatch.setitem(registry.CHANNELS, "echo", "fakes.echo_channel:SPEC")
    monkeypatch.setattr(wiring, "build_assistant", build)
    monkeypatch.setattr(wiring, "build_generator", lambda cfg, **kw: ScriptedAssistant())
    monkeypatch.setattr(wiring, "build_embedder", lambda cfg: None)
    config = tmp_path / "config.toml"
    config.write_text('[data]\ndir = "state"\n')
    echo_channel.ANSWERS.clear()
    assert main(["serve", "--config", str(config), "--echo"]) == 0
    assert {w for w, _ in seen} == {"intents", "sentiment"}
    assert all(t != threading.main_thread().name for _, t in seen)
    assert echo_channel.ANSWERS == ["team says hi"]
