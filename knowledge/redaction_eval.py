"""Scores a redactor against a labelled corpus (tests/data/pii_corpus.jsonl): recall over the
expected spans and the false-positive rate over the look-alikes. Used by the redaction test and
bench/bench_redaction.py so both count the same way.

A span counts as caught when every letter and digit in it is inside something the redactor
replaced (covering a little more — "Tel" before a number — is allowed). A look-alike is a false
positive when anything in it is replaced. A redaction in a PII string that touches none of its
expected spans is "spurious" and reported too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .privacy import Span


@dataclass(frozen=True)
class Case:
    id: int
    lang: str
    kind: str
    text: str
    spans: tuple[tuple[int, int, str], ...]


@dataclass
class Score:
    spans: int = 0
    caught: int = 0
    tag_right: int = 0
    lookalikes: int = 0
    false_positive: int = 0
    pii_strings: int = 0
    spurious: int = 0
    missed: list[tuple[Case, tuple[int, int, str]]] = field(default_factory=list)
    false: list[tuple[Case, list[Span]]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.spans if self.spans else 1.0

    @property
    def fp_rate(self) -> float:
        return self.false_positive / self.lookalikes if self.lookalikes else 0.0

    @property
    def spurious_rate(self) -> float:
        return self.spurious / self.pii_strings if self.pii_strings else 0.0


def load_corpus(path: Path) -> list[Case]:
    cases = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                cases.append(Case(r["id"], r["lang"], r["kind"], r["text"], tuple(tuple(s) for s in r["spans"])))
    return cases


def score(cases: Iterable[Case], find: Callable[[str], Sequence[Span]]) -> Score:
    sc = Score()
    for case in cases:
        found = list(find(case.text))
        covered = [False] * len(case.text)
        for sp in found:
            for i in range(sp.start, sp.end):
                covered[i] = True
        if not case.spans:
            sc.lookalikes += 1
            if found:
                sc.false_positive += 1
                sc.false.append((case, found))
            continue
        sc.pii_strings += 1
        for s, e, tag in case.spans:
            sc.spans += 1
            if all(covered[i] for i in range(s, e) if case.text[i].isalnum()):
                sc.caught += 1
                if any(sp.tag == tag and sp.start < e and s < sp.end for sp in found):
                    sc.tag_right += 1
            else:
                sc.missed.append((case, (s, e, tag)))
        if any(not any(sp.start < e and s < sp.end for s, e, _ in case.spans) for sp in found):
            sc.spurious += 1
            sc.false.append((case, found))
    return sc
