"""A burst of @mentions through the real Slack adapter: is anybody turned away?

N signed mentions from N people within --window seconds (sent from a second process on loopback)
hit SlackHttpServer + SlackAdapter + the real bot.Assistant, whose model is a serial fake with the
worker's bounded queue (`tests/fakes/slow_generator.py`: one reply at a time, --model-s each,
--queue waiting, then ModelBusy like llm.worker.LocalGenerator). Measured against the fake Slack API:

  * ack latency p50/p99/max (client side: request sent → HTTP 200), target p99 ≤ 300 ms
  * refusals: final answers that are a "busy / try again" instead of the answer (target 0)
  * people told their place in line, the longest line, time to the final answer p50/p95

and, in the same run, the same burst without the waiting line (the bare worker queue) as the
alternative.

    .venv/bin/python bench/bench_burst.py [--n 50] [--window 1.0] [--model-s 0.15] [--queue 16]
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
from pathlib import Path

from _machine import cpu_model  # noqa: E402  (bench/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

ANSWER = "Returns are accepted within 7 days of delivery [1]."


async def client_main(url: str, n: int, window: float, out: str, secret: str) -> None:
    import aiohttp

    from fakes.slack_api import event_body, mention, sign

    results: list[dict] = []
    t0 = time.monotonic() + 0.2

    async def send(session, i: int) -> None:
        body = event_body(mention("/ask How do returns work?", user=f"U{i:03d}", ts=f"{1800000000 + i}.000100"), event_id=f"EvBurst{i}")
        await asyncio.sleep(max(0.0, t0 + i * window / n - time.monotonic()))
        headers = {"Content-Type": "application/json", **sign(secret, body)}
        wall, start = time.time(), time.monotonic()
        try:
            async with session.post(url, data=body.encode(), headers=headers, timeout=aiohttp.ClientTimeout(total=60)) as r:
                await r.read()
                status = r.status
        except Exception as exc:  # noqa: BLE001
            status = f"error: {exc}"
        results.append({"i": i, "sent_wall": wall, "ack_s": time.monotonic() - start, "status": status})

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(send(session, i) for i in range(n)))
    Path(out).write_text(json.dumps(results))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))]


async def one_run(n: int, window: float, model_s: float, queue: int, *, line: bool) -> dict:
    from bot.waiting_line import WaitingLine
    from fakes.real_assistant import NeutralSentiment, real_assistant
    from fakes.slack_api import FakeSlackAPI
    from fakes.slack_harness import SECRET, start_harness
    from fakes.slow_generator import SlowSerialGenerator

    tmp = Path(tempfile.mkdtemp())
    worker = SlowSerialGenerator(ANSWER, seconds=model_s, queue_size=queue)
    generator = WaitingLine(worker, slots=2, max_waiting=500) if line else worker
    assistant, _ = real_assistant(tmp, sentiment=NeutralSentiment(), generator=generator)
    fake = await FakeSlackAPI().start()
    h = await start_harness(assistant, tmp / "channels.sqlite", fake=fake, rate_limit_per_minute=0, update_interval_s=1.0)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, "--client", h.url, str(n), str(window), out, SECRET,
                                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    await proc.wait()
    load = json.loads(Path(out).read_text())
    os.unlink(out)
    deadline = time.monotonic() + n * model_s * 2 + 30
    while len(h.adapter.inflight) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await h.adapter.inflight.join()
    await h.close()
    await fake.stop()
    assistant.close()

    sent = {1800000000 + r["i"]: r["sent_wall"] for r in load}
    placeholder_of: dict[str, int] = {}  # placeholder ts → which mention
    for c in fake.calls_to("chat.postMessage"):
        placeholder_of[c.response["ts"] if c.response else c.params.get("ts", "")] = int(str(c.params["thread_ts"]).split(".")[0])
    final: dict[str, tuple[str, float]] = {}
    told: set[str] = set()
    longest = 0
    for c in fake.calls_to("chat.update"):
        final[c.params["ts"]] = (c.params["text"], c.wall)
        if "in line" in c.params["text"]:
            told.add(c.params["ts"])
            longest = max(longest, int(c.params["text"].split("#", 1)[1].split(" ", 1)[0]))
    answered = [ts for ts, (text, _) in final.items() if ANSWER.split(" [")[0] in text]
    refusals = [ts for ts, (text, _) in final.items() if ts not in answered]
    to_answer = [final[ts][1] - sent[placeholder_of[ts]] for ts in answered if ts in placeholder_of and placeholder_of[ts] in sent]
    acks = [r["ack_s"] for r in load]
    return {
        "mentions": n, "non_200": sum(1 for r in load if r["status"] != 200),
        "ack_p50_ms": round(1000 * pct(acks, 50), 1), "ack_p99_ms": round(1000 * pct(acks, 99), 1), "ack_max_ms": round(1000 * max(acks), 1),
        "answered": len(answered), "refusals": len(refusals), "lost": n - len(final),
        "refusal_example": final[refusals[0]][0][:120] if refusals else "",
        "told_place_in_line": len(told), "longest_line_shown": longest, "model_busy_answers": worker.busy,
        "answer_p50_s": round(pct(to_answer, 50), 2), "answer_p95_s": round(pct(to_answer, 95), 2),
    }


def machine() -> str:
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    return f"{cpu_model()} · {os.cpu_count()} cores · Python {platform.python_version()} · load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


async def main_async(args) -> None:
    with_line = await one_run(args.n, args.window, args.model_s, args.queue, line=True)
    without = await one_run(args.n, args.window, args.model_s, args.queue, line=False)
    print(f"machine: {machine()}")
    print(f"burst: {args.n} mentions from {args.n} people in {args.window} s; model {args.model_s} s per reply, worker queue {args.queue}")
    for name, r in (("waiting line (serve)", with_line), ("bare worker queue", without)):
        print(f"{name:22s} ack p50 {r['ack_p50_ms']} ms · p99 {r['ack_p99_ms']} ms · max {r['ack_max_ms']} ms · "
              f"answered {r['answered']}/{r['mentions']} · refusals {r['refusals']} · lost {r['lost']} · "
              f"told their place {r['told_place_in_line']} (longest #{r['longest_line_shown']}) · "
              f"answer p50 {r['answer_p50_s']} s p95 {r['answer_p95_s']} s")
        if r["refusal_example"]:
            print(f"{'':22s} a refusal: {r['refusal_example']!r}")
    ok = with_line["refusals"] == 0 and with_line["lost"] == 0 and with_line["ack_p99_ms"] <= 300
    print(f"target (0 refusals, ack p99 ≤ 300 ms): {'met' if ok else 'MISSED'}")
    if args.json:
        print(json.dumps({"waiting_line": with_line, "bare_queue": without}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, n, window, out, secret = sys.argv[2:7]
        asyncio.run(client_main(url, int(n), float(window), out, secret))
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=50, help="mentions in the burst (default 50)")
    p.add_argument("--window", type=float, default=1.0, help="seconds the burst is spread over (default 1.0)")
    p.add_argument("--model-s", type=float, default=0.15, help="seconds the fake model takes per reply (default 0.15)")
    p.add_argument("--queue", type=int, default=16, help="the worker's queue size, [generation] queue_size (default 16)")
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    asyncio.run(main_async(p.parse_args()))


if __name__ == "__main__":
    main()
