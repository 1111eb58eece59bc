"""knowledge.text: language detection and jieba/rjieba tokenisation."""

import subprocess
import sys

import pytest

from knowledge.text import detect_lang, pos_tag_zh, tokenize


@pytest.mark.parametrize(
    "text, lang",
    [
        ("物流很快，包装也不错", "zh"),
        ("这个iPhone很好用", "zh"),
        ("太慢了！！", "zh"),
        ("where is my order??", "en"),
        ("love it", "en"),
        ("I really love eating 火锅 with my friends on weekends", "en"),
        ("", "en"),
        ("12345 !!!", "en"),
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


def test_tokenize_chinese_uses_jieba_words():
    assert tokenize("物流很快，包装也不错，就是价格有点贵，续航不行") == [
        "物流", "很快", "包装", "也", "不错", "就是", "价格", "有点", "贵", "续航", "不行",
    ]


def test_tokenize_english_lowercases_and_drops_punctuation():
    assert tokenize("Where is my ORDER?? I don't know, v2.5!") == ["where", "is", "my", "order", "i", "don't", "know", "v2.5"]


def test_tokenize_mixed_text():
    assert tokenize("这个iPhone15的battery很好") == ["这个", "iphone15", "的", "battery", "很", "好"]


def test_stopword_removal_keeps_negations_and_degree_words():
    toks = tokenize("这个手机的电池不是很好", remove_stopwords=True)
    assert "的" not in toks and "这个" not in toks
    assert "不是" in toks or "不" in toks
    assert "很" in toks and "电池" in toks
    assert tokenize("the battery is not good", remove_stopwords=True) == ["battery", "not", "good"]


@pytest.mark.parametrize(
    "text",
    [
        "物流很快，包装也不错，就是价格有点贵，续航不行",
        "e-mail me at www.example.com 关于T恤的问题",
        "Alexa is great but the sound quality 一般",
        "客服态度非常差，再也不会买了！！",
    ],
)
def test_jieba_and_rjieba_agree(text):
    assert tokenize(text, "jieba") == tokenize(text, "rjieba")


def test_unknown_tokenizer_is_an_error():
    with pytest.raises(ValueError, match="unknown tokenizer"):
        tokenize("你好", "spacy")  # type: ignore[arg-type]


def test_pos_tags_mark_aspect_nouns():
    tags = dict(pos_tag_zh("电池不行，客服态度很好"))
    assert tags["电池"].startswith("n") and tags["客服"].startswith("n")


def test_jieba_initialises_quietly(tmp_path):
    """No 'Building prefix dict' noise on stdout or stderr; the cache goes to our folder."""
    code = "from knowledge.text import tokenize; print('|'.join(tokenize('我喜欢续航')))"
    env = {"GROWTHPILOT_CACHE_DIR": str(tmp_path), "PATH": "", "PYTHONPATH": "."}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "我|喜欢|续航"
    assert "prefix dict" not in out.stderr and "Loading model" not in out.stderr
    assert (tmp_path / "growthpilot" / "jieba" / "jieba.cache").exists()
