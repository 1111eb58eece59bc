"""PNG charts for reports (matplotlib, headless): horizontal bars and lines.

Matplotlib's default font has no CJK glyphs: a CJK font is used when one is installed, else
the known Chinese labels are translated and the remaining Chinese characters dropped.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Sequence


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # headless: servers and CI have no display
    import matplotlib.pyplot as plt

    return plt


# Chart labels in English when no CJK font is installed (DejaVu Sans has no Chinese glyphs).
_CHART_EN = {
    "浏览": "View", "加购": "Cart", "收藏": "Favourite", "购买": "Buy", "转化漏斗": "Funnel", "趋势": "Trends", "商品": "item", "品类": "category",
    "忠实买家": "loyal buyers", "新客/一次性买家": "one-time buyers", "加购未买": "cart abandoners", "只逛不买": "window-shoppers", "沉睡用户": "dormant",
    "用户分群": "Segments", "活动效果预测": "Campaign forecast", "评论情感": "Review sentiment", "经常一起": "Often together",
    "品类排行": "Categories", "时段": "Hours", "小时": "hour", "整体": "overall",
}


def ascii_safe(text: str) -> str:
    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    if has_cjk_font():
        return text
    for zh, en in sorted(_CHART_EN.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(zh, en)
    cleaned = re.sub(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]+", " ", text)
    return re.sub(r"\s+", " ", cleaned).strip(" ·,")


def has_cjk_font() -> bool:
    from matplotlib import font_manager, rcParams

    names = {f.name for f in font_manager.fontManager.ttflist}
    for cand in ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC"):
        if cand in names:
            if cand not in rcParams["font.sans-serif"]:
                rcParams["font.sans-serif"] = [cand] + list(rcParams["font.sans-serif"])
            return True
    return False


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # missing CJK glyphs were replaced above
        fig.tight_layout()
        fig.savefig(path)
    return path


def bar_chart(path: Path, labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str = "") -> Path | None:
    """A horizontal bar chart, first label on top."""
    if not len(labels):
        return None
    labels = [ascii_safe(str(x)) or str(i + 1) for i, x in enumerate(labels)][::-1]
    values = [0.0 if v is None else float(v) for v in values][::-1]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(labels) + 1.2), dpi=100)
    try:
        ax.barh(labels, values, color="#4C72B0")
        ax.set_title(ascii_safe(title) or "report", fontsize=9)
        ax.set_xlabel(ascii_safe(xlabel))
        return _save(fig, path)
    finally:
        plt.close(fig)


def line_chart(path: Path, x: Sequence[str], series: dict[str, Sequence[float]], *, title: str) -> Path | None:
    if not len(x):
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3), dpi=100)
    try:
        for name, ys in series.items():
            ax.plot(list(x), [0.0 if v is None else float(v) for v in ys], marker="o", markersize=3, label=ascii_safe(name) or name)
        ax.set_title(ascii_safe(title) or "report", fontsize=9)
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        ax.legend(fontsize=8)
        return _save(fig, path)
    finally:
        plt.close(fig)
