"""Telegram HTML rendering: escaping, splitting at 4096, callback data — pure, no network."""

from __future__ import annotations

from adapters.render_telegram import MESSAGE_LIMIT, callback_data, parse_callback_data, render_messages, to_html
from bot.types import Reply, Source


def test_html_escaping_of_user_and_model_text():
    assert to_html("<script>alert(1)</script> & *not bold* _x_ [a](b)") == \
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; *not bold* _x_ [a](b)"
    assert to_html("**7 days** and `code<1>`") == "<b>7 days</b> and <code>code&lt;1&gt;</code>"
    assert to_html('say "hi"') == 'say "hi"'


def test_split_respects_the_escaped_length():
    text = "<&>" * 3000  # 9000 raw chars, 30000 escaped
    chunks = render_messages(Reply(text=text))
    assert all(len(c) <= MESSAGE_LIMIT for c in chunks)
    assert "".join(chunks).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text
    assert not any(c.endswith("&") or c.endswith("&am") for c in chunks)  # never cut inside an entity


def test_bold_split_across_chunks_stays_valid():
    text = "**" + ("word " * 1000) + "**"
    for chunk in render_messages(Reply(text=text)):
        assert chunk.count("<b>") == chunk.count("</b>")


def test_sources_are_listed_after_the_answer():
    reply = Reply(text="Returns within 7 days [1].", citations=(Source("doc:faq.md#2", "doc", "Returns <FAQ>", "7-day returns", 0.9),))
    (msg,) = render_messages(reply)
    assert msg.endswith("Sources:\n[1] Returns &lt;FAQ&gt; — 7-day returns")


def test_callback_data_limit():
    data = callback_data("down", "x" * 100)
    assert len(data.encode()) == 64 and parse_callback_data(data)[0] == "down"
    assert parse_callback_data("human:") == ("human", "")
