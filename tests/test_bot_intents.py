"""Routing requests: explicit slash commands, and a zh/en classifier over USE embeddings."""

import pytest

from bot.intent_examples import INTENT_EXAMPLES
from bot.intents import IntentClassifier, held_out_accuracy, parse_command
from bot.lang import detect_language


def test_slash_commands_are_explicit():
    assert parse_command("/copy a launch tweet").kind == "copy"
    assert parse_command("/copy a launch tweet").text == "a launch tweet"
    assert parse_command("/report funnel --days 7").text == "funnel --days 7"
    assert parse_command("/ask@growthpilot_bot 哪个商品最好？").kind == "question"  # Telegram group form
    assert parse_command("/reset").kind == "reset"
    assert parse_command("/feedback up").kind == "feedback"
    bad = parse_command("/frobnicate now")
    assert bad.kind == "unknown_command" and bad.command == "frobnicate"
    assert parse_command("what is /report?") is None


def test_seed_set_is_bilingual_and_big_enough():
    for label, texts in INTENT_EXAMPLES.items():
        zh = [t for t in texts if detect_language(t) == "zh"]
        en = [t for t in texts if detect_language(t) == "en"]
        assert len(texts) >= 40, label
        assert len(zh) >= 20 and len(en) >= 20, label


@pytest.fixture(scope="module")
def embedder():
    from knowledge.embeddings import USEEmbedder

    return USEEmbedder()


@pytest.fixture(scope="module")
def classifier(embedder, tmp_path_factory):
    return IntentClassifier(embedder, cache_dir=tmp_path_factory.mktemp("intent-cache")).fit()


def test_held_out_accuracy_with_use_embeddings(embedder, capsys):
    acc, n, mistakes = held_out_accuracy(embedder, every=4)
    with capsys.disabled():
        print(f"\n[intent classifier] USE+LR+rules held-out accuracy {acc:.3f} on {n} examples; mistakes: {mistakes}")
    assert n >= 40
    assert acc >= 0.85
    # and it beats the keyword-free character n-gram fallback, or at least matches it
    acc_tfidf, _, _ = held_out_accuracy(None, every=4)
    assert acc >= acc_tfidf


@pytest.mark.parametrize(
    "text,intent",
    [
        ("帮我写条朋友圈", "copy"),
        ("draft a launch tweet", "copy"),
        ("come up with something catchy for the earbuds launch", "copy"),
        ("给耳机想几句宣传的话", "copy"),
        ("which items do cart abandoners look at most?", "question"),
        ("差评最多的是哪个商品？", "question"),
        ("show me the funnel for the last 14 days", "report"),
        ("来一份热销榜", "report"),
        ("my parcel is late, where is it?", "support"),
        ("收到的耳机有杂音，能换货吗？", "support"),
    ],
)
def test_paraphrases_not_in_the_seed_set(classifier, text, intent):
    assert text not in [t for ts in INTENT_EXAMPLES.values() for t in ts]
    assert classifier.classify(text)[0] == intent


def test_seed_embeddings_are_cached_on_disk(embedder, tmp_path):
    clf = IntentClassifier(embedder, cache_dir=tmp_path).fit()
    files = list(tmp_path.glob("intent-seeds-*.npy"))
    assert len(files) == 1
    again = IntentClassifier(embedder, cache_dir=tmp_path).fit()
    assert again.classify("写一条微博")[0] == clf.classify("写一条微博")[0] == "copy"


def test_language_detection_picks_reply_language():
    assert detect_language("哪个商品的转化率最高？") == "zh"
    assert detect_language("Which product converts best?") == "en"
    assert detect_language("这个iPhone壳怎么样") == "zh"
    assert detect_language("???", default="en") == "en"
    assert detect_language("👍", locale="zh-CN") == "zh"
    assert detect_language("hello", locale="zh-CN") == "en"  # the text's language wins over the locale
