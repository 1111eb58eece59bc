"""Slack HTTP mode under load, from a second process on loopback.

N signed events over D seconds (plus Slack-style retries and duplicate deliveries) hit the real
SlackAdapter + SlackHttpServer while the "model" is busy (a fake assistant with ONE worker that
takes --model-s per reply). Measured against the fake Slack Web API:

  * ack latency p50/p99 (client side: request sent → HTTP 200), target p99 ≤ 300 ms
  * duplicate answers (target 0) and lost events (target 0)
  * event → placeholder latency p95 (target ≤ 1.5 s)

and compared, in the same run, with a naive handler that answers inline before acking.

    .venv/bin/python bench/bench_slack.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


# ----------------------------------------------------------------------------- load generator (2nd process)
async def client_main(url: str, n: int, duration: float, out: str, retry_every: int, secret: str) -> None:
    import aiohttp

    from fakes.slack_api import event_body, mention, sign

    results: list[dict] = []
    interval = duration / n
    t0 = time.monotonic() + 0.2

    async def send(session, i: int, body: str, retry: int | None, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        headers = {"Content-Type": "application/json", **sign(secret, body)}
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        wall, start = time.time(), time.monotonic()
        try:
            async with session.post(url, data=body.encode(), headers=headers, timeout=aiohttp.ClientTimeout(total=120)) as r:
                await r.read()
                status = r.status
        except Exception as exc:  # noqa: BLE001
            status = f"error: {exc}"
        results.append({"i": i, "event_id": f"EvB{i}", "retry": retry, "sent_wall": wall,
                        "ack_s": time.monotonic() - start, "status": status})

    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn) as session:
        tasks = []
        for i in range(n):
            body = event_body(mention(f"question {i}", ts=f"{1800000000 + i}.000100", user=f"U{i % 50}"), event_id=f"EvB{i}")
            at = t0 + i * interval
            tasks.append(send(session, i, body, None, at))
            if retry_every and i % retry_every == 0:
                tasks.append(send(session, i, body, 1, at + 0.3))  # Slack's retry
                tasks.append(send(session, i, body, None, at + 0.05))  # a duplicate delivery
        await asyncio.gather(*tasks)
    Path(out).write_text(json.dumps(results))


# ----------------------------------------------------------------------------- server side
class BusyModel:
    """A fake assistant with one generation worker: replies queue behind each other."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._lock = asyncio.Lock()
        self.handled = 0

    async def handle(self, message, *, on_partial=None):
        from bot.types import Reply

        async with self._lock:
            await asyncio.sleep(self.seconds)
            self.handled += 1
        return Reply(text=f"answer to {message.text}", reply_id=f"r-{message.event_id}")

    def record_feedback(self, *a, **k) -> None:
        pass


async def naive_server(fake_url: str, secret: str, model: BusyModel):
    """What a first attempt looks like: verify, answer, post, THEN return 200."""
    from aiohttp import web
    from slack_sdk.signature import SignatureVerifier
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.types import Message

    client = AsyncWebClient(token="xoxb-bench", base_url=fake_url)
    verifier = SignatureVerifier(secret)

    async def handle(request):
        body = await request.text()
        if not verifier.is_valid(body, request.headers.get("X-Slack-Request-Timestamp", "0"), request.headers.get("X-Slack-Signature", "")):
            return web.Response(status=401)
        ev = json.loads(body)["event"]
        reply = await model.handle(Message(platform="slack", channel=ev["channel"], user=ev["user"], text=ev["text"]))
        await client.chat_postMessage(channel=ev["channel"], thread_ts=ev["ts"], text=reply.text)
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


async def run_load(url: str, n: int, duration: float, retry_every: int, secret: str) -> list[dict]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, "--client", url, str(n), str(duration), out,
                                                str(retry_every), secret, env={**os.environ, "PYTHONPATH": str(ROOT)})
    await proc.wait()
    data = json.loads(Path(out).read_text())
    os.unlink(out)
    return data


async def bench(n: int, duration: float, model_s: float, retry_every: int) -> dict:
    from fakes.slack_api import FakeSlackAPI
    from fakes.slack_harness import SECRET, start_harness

    results = {}
    # --- the adapter
    fake = await FakeSlackAPI().start()
    model = BusyModel(model_s)
    tmp = Path(tempfile.mkdtemp())
    h = await start_harness(model, tmp / "channels.sqlite", fake=fake, rate_limit_per_minute=0, update_interval_s=1.0)
    load = await run_load(h.url, n, duration, retry_every, SECRET)
    deadline = time.monotonic() + n * model_s + 30
    while model.handled < n and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await h.adapter.inflight.join()
    await h.close()
    first_sent = {r["event_id"]: r["sent_wall"] for r in load if r["retry"] is None and r["sent_wall"] == min(
        x["sent_wall"] for x in load if x["event_id"] == r["event_id"])}
    placeholders: dict[str, list[float]] = {}
    for c in fake.calls_to("chat.postMessage"):
        i = int(c.params["thread_ts"].split(".")[0]) - 1800000000
        placeholders.setdefault(f"EvB{i}", []).append(c.wall)
    finals = {c.params["ts"] for c in fake.calls_to("chat.update")}
    acks = [r["ack_s"] for r in load]
    to_placeholder = [min(placeholders[e]) - first_sent[e] for e in placeholders if e in first_sent]
    results["adapter"] = {
        "requests": len(load), "events": n, "non_200": sum(1 for r in load if r["status"] != 200),
        "ack_p50_ms": 1000 * pct(acks, 50), "ack_p99_ms": 1000 * pct(acks, 99), "ack_max_ms": 1000 * max(acks),
        "duplicate_answers": sum(len(v) - 1 for v in placeholders.values()),
        "lost_events": n - len(placeholders), "final_answers": len(finals),
        "placeholder_p50_s": pct(to_placeholder, 50), "placeholder_p95_s": pct(to_placeholder, 95),
        "assistant_calls": model.handled,
    }
    await fake.stop()
    # --- the naive inline handler, same load, same busy model
    fake = await FakeSlackAPI().start()
    model = BusyModel(model_s)
    runner, port = await naive_server(fake.base_url, SECRET, model)
    load = await run_load(f"http://127.0.0.1:{port}/slack/events", n, duration, retry_every, SECRET)
    await runner.cleanup()
    acks = [r["ack_s"] for r in load]
    answers: dict[str, int] = {}
    for c in fake.calls_to("chat.postMessage"):
        answers[c.params["thread_ts"]] = answers.get(c.params["thread_ts"], 0) + 1
    results["naive"] = {
        "requests": len(load), "ack_p50_ms": 1000 * pct(acks, 50), "ack_p99_ms": 1000 * pct(acks, 99),
        "acks_over_3s": sum(1 for a in acks if a > 3.0), "duplicate_answers": sum(v - 1 for v in answers.values()),
        "assistant_calls": model.handled,
    }
    await fake.stop()
    return results


def machine() -> str:
    cpu = cpu_model()
    versions = []
    for pkg in ("slack-bolt", "slack-sdk", "aiohttp", "torch", "faiss-cpu"):
        try:
            versions.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, " + ", ".join(versions)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, n, duration, out, retry_every, secret = sys.argv[2:8]
        asyncio.run(client_main(url, int(n), float(duration), out, int(retry_every), secret))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="60 events over 3 s (CI smoke run)")
    ap.add_argument("--events", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--model-s", type=float, default=0.1, help="seconds per reply of the one busy model worker")
    ap.add_argument("--retry-every", type=int, default=10, help="every k-th event is also redelivered (retry + duplicate)")
    args = ap.parse_args()
    if args.quick:
        args.events, args.seconds = 60, 3.0
    print(f"machine: {machine()}")
    print(f"load: {args.events} events over {args.seconds:.0f} s from a second process, model busy {args.model_s * 1000:.0f} ms/reply "
          f"(one worker), every {args.retry_every}th event redelivered twice")
    r = asyncio.run(bench(args.events, args.seconds, args.model_s, args.retry_every))
    a, nv = r["adapter"], r["naive"]
    print(f"adapter: ack p50 {a['ack_p50_ms']:.1f} ms, p99 {a['ack_p99_ms']:.1f} ms (max {a['ack_max_ms']:.1f}); "
          f"requests {a['requests']} (non-200: {a['non_200']}); duplicate answers {a['duplicate_answers']}; "
          f"lost events {a['lost_events']}; final answers {a['final_answers']}/{a['events']}; "
          f"event→placeholder p50 {a['placeholder_p50_s']:.3f} s, p95 {a['placeholder_p95_s']:.3f} s")
    print(f"naive (answer, then ack): ack p50 {nv['ack_p50_ms']:.0f} ms, p99 {nv['ack_p99_ms']:.0f} ms; acks > 3 s (Slack would retry): "
          f"{nv['acks_over_3s']}/{nv['requests']}; duplicate answers {nv['duplicate_answers']}")
    print(f"ratio ack p99 naive/adapter: {nv['ack_p99_ms'] / a['ack_p99_ms']:.0f}x")
    print(f"targets: ack p99 ≤ 300 ms: {'met' if a['ack_p99_ms'] <= 300 else 'MISSED'}; duplicates 0: "
          f"{'met' if a['duplicate_answers'] == 0 else 'MISSED'}; lost 0: {'met' if a['lost_events'] == 0 else 'MISSED'}; "
          f"placeholder p95 ≤ 1.5 s: {'met' if a['placeholder_p95_s'] <= 1.5 else 'MISSED'}")
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
