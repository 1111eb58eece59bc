"""Telegram: reply throughput under the per-chat limit, without 429 storms.

A fake Bot API enforces Telegram's flood control (a chat sent to twice within 1 s gets 429 with
retry_after). C chats each ask Q questions at once; every answer is two messages (a ~6000-char
reply split at 4096). Three ways to send, same load, same run:

  * paced   — the adapter's per-chat pacer (1 msg/s/chat) + retry after retry_after (the default)
  * retry   — no pacer, but 429s are retried after retry_after
  * naive   — no pacer, no retry: what a bot that ignores 429 delivers

    .venv/bin/python bench/bench_telegram.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]


async def run_config(name: str, chats: int, questions: int, *, interval: float, attempts: int) -> dict:
    from fakes.assistant import ScriptedAssistant
    from fakes.telegram_api import FakeTelegramAPI
    from fakes.telegram_harness import start_harness

    fake = await FakeTelegramAPI(strict_interval_s=1.0).start()
    text = "\n\n".join(f"Paragraph {i}: " + "shipping policy detail " * 12 for i in range(22))  # ~6000 chars → 2 messages
    bot = ScriptedAssistant(text)
    h = await start_harness(bot, Path(tempfile.mkdtemp()) / "s.sqlite", fake=fake, per_chat_interval_s=interval,
                            max_send_attempts=attempts, typing_interval_s=60)
    expected = chats * questions * 2
    t0 = time.monotonic()
    for q in range(questions):
        for c in range(chats):
            fake.text_update(f"question {q}", chat_id=1000 + c, user_id=1000 + c)
    while bot.finished < chats * questions and time.monotonic() - t0 < 120:
        await asyncio.sleep(0.02)
    await h.adapter.inflight.join()
    elapsed = time.monotonic() - t0
    await h.close()
    await fake.stop()
    delivered = len(fake.calls_to("sendMessage"))
    return {"config": name, "chats": chats, "questions_per_chat": questions, "messages_expected": expected,
            "delivered": delivered, "lost": expected - delivered, "http_429": fake.count_429(),
            "seconds": elapsed, "messages_per_s": delivered / elapsed}


async def bench(chats: int, questions: int) -> list[dict]:
    out = []
    for name, interval, attempts in (("paced", 1.0, 5), ("retry", 0.0, 10), ("naive", 0.0, 1)):
        out.append(await run_config(name, chats, questions, interval=interval, attempts=attempts))
    return out


def main() -> int:
    from bench_slack import machine  # same machine line as the Slack benchmark

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="5 chats × 2 questions")
    ap.add_argument("--chats", type=int, default=20)
    ap.add_argument("--questions", type=int, default=3)
    args = ap.parse_args()
    if args.quick:
        args.chats, args.questions = 5, 2
    logging.basicConfig(level=logging.CRITICAL)  # the naive run's dropped messages are expected errors
    print(f"machine: {machine()}")
    print(f"load: {args.chats} chats × {args.questions} questions at once, 2 messages per answer; fake API: 429 when a chat gets > 1 msg/s")
    rows = asyncio.run(bench(args.chats, args.questions))
    for r in rows:
        print(f"{r['config']:>6}: delivered {r['delivered']}/{r['messages_expected']} (lost {r['lost']}), 429s {r['http_429']}, "
              f"{r['seconds']:.1f} s, {r['messages_per_s']:.2f} msg/s")
    paced, retry = rows[0], rows[1]
    print(f"429s retry-only/paced: {retry['http_429']}/{paced['http_429']}; throughput paced/retry: {paced['messages_per_s'] / retry['messages_per_s']:.2f}x")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
