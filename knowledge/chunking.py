"""Splitting Markdown/text documents into retrieval-sized chunks by headings and paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+")


@dataclass(frozen=True)
class Chunk:
    title: str  # "Document title › Section"
    text: str  # starts with the section heading, so a chunk reads on its own


def chunk_document(text: str, *, title_fallback: str, max_chars: int = 600, overlap: int = 80,
                   markdown: bool = True) -> list[Chunk]:
    """Chunks of at most about `max_chars` characters. Sections (Markdown headings) never
    share a chunk; paragraphs are packed together; an over-long paragraph is split at
    sentence ends (then hard). Consecutive chunks of one section overlap by `overlap` chars."""
    sections = _sections(text, title_fallback) if markdown else [(title_fallback, "", text)]
    chunks: list[Chunk] = []
    for doc_title, heading, body in sections:
        title = f"{doc_title} › {heading}" if heading and heading != doc_title else doc_title
        prefix = f"{heading}\n" if heading else ""
        budget = max(80, max_chars - len(prefix))
        pieces: list[str] = []
        for para in re.split(r"\n\s*\n", body):
            para = para.strip()
            if not para:
                continue
            pieces.extend(_split_long(para, budget))
        packed: list[str] = []
        current = ""
        for piece in pieces:
            if current and len(current) + 2 + len(piece) > budget:
                packed.append(current)
                tail = current[-overlap:] if overlap > 0 else ""
                current = (tail + " … " + piece) if tail and len(tail) + 3 + len(piece) <= budget + overlap else piece
            else:
                current = f"{current}\n\n{piece}" if current else piece
        if current:
            packed.append(current)
        chunks.extend(Chunk(title, prefix + p) for p in packed)
    return chunks


def _sections(text: str, fallback: str) -> list[tuple[str, str, str]]:
    """(document title, section heading, body) per heading; the first H1 is the document title."""
    doc_title = fallback
    out: list[tuple[str, list[str]]] = [("", [])]
    in_code = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
        m = None if in_code else _HEADING.match(line)
        if m:
            heading = m.group(2).strip()
            if len(m.group(1)) == 1 and doc_title == fallback:
                doc_title = heading
            out.append((heading, []))
        else:
            out[-1][1].append(line)
    return [(doc_title, h, "\n".join(lines).strip()) for h, lines in out if "\n".join(lines).strip()]


def _split_long(para: str, budget: int) -> list[str]:
    if len(para) <= budget:
        return [para]
    parts: list[str] = []
    current = ""
    for sent in (s for s in _SENTENCE_END.split(para) if s):
        if len(sent) > budget:  # a "sentence" longer than the budget: hard split (linear, no re-slicing)
            if current:
                parts.append(current)
                current = ""
            k = 0
            while len(sent) - k > budget:
                parts.append(sent[k:k + budget])
                k += budget
            sent = sent[k:]
        if current and len(current) + len(sent) > budget:
            parts.append(current)
            current = sent
        else:
            current += sent if not current or current.endswith((" ", "\n")) or _cjk_end(current) else " " + sent
    if current:
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _cjk_end(s: str) -> bool:
    return bool(s) and "\u4e00" <= s[-1] <= "\u9fff" or s.endswith(("。", "！", "？", "；"))
