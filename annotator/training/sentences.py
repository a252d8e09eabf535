"""Sentences in training data: few long documents become many examples, and entities a frozen
parser splits are left unsupervised.

- Few documents: a train/dev split by document needs several documents, and a model learns
  from one long article as well as from its paragraphs. So when an export has fewer than
  `MIN_DOCUMENTS` accepted documents, each is cut into paragraphs (at line breaks), or into
  sentences when that still gives fewer than `MIN_EXAMPLES`, and the pieces are split into
  train and dev. A cut never falls inside an entity, a rejected span or stance evidence.
- Split entities: when a base pipeline's parser annotates during training, spaCy's ner may not
  continue an entity across a sentence start, so a gold entity the parser splits in two has no
  sequence of moves that makes it (spaCy's E024). Such an entity is marked missing (neither
  entity nor `O`) in the training copy: the ner learns nothing about those tokens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spacy.pipeline import Sentencizer
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

MIN_DOCUMENTS = 10  # fewer accepted documents than this are cut into smaller examples
MIN_EXAMPLES = 10  # paragraphs fewer than this: sentences instead


@dataclass(frozen=True)
class Pieces:
    """The examples cut out of some documents, and what kind they are."""

    docs: list[Doc]
    unit: str  # "paragraph" or "sentence"


def _covered_cuts(doc: Doc) -> set[int]:
    """Token positions where a cut would split an entity or a span of some group."""
    covered: set[int] = set()
    for span in (*doc.ents, *(s for group in doc.spans.values() for s in group)):
        covered.update(range(span.start + 1, span.end))
    return covered


def _is_break(token: Any) -> bool:
    return bool(token.is_space and "\n" in token.text)


def _cuts(doc: Doc, unit: str) -> list[int]:
    """Token positions that start a new piece: after each line break, and for sentences at
    each sentence start of spaCy's rule sentencizer."""
    starts = {token.i + 1 for token in doc if _is_break(token)}
    if unit == "sentence":
        marked = Sentencizer()(Doc(doc.vocab, words=[t.text for t in doc]))
        starts |= {token.i for token in marked if token.is_sent_start}
    starts -= _covered_cuts(doc)
    return sorted(i for i in starts if 0 < i < len(doc))


def _shifted(ref: Any, offset: int, length: int) -> Any:
    if not isinstance(ref, dict):
        return ref
    start, end = ref["start"] - offset, ref["end"] - offset
    return {**ref, "start": start, "end": end} if start >= 0 and end <= length else None


def _piece(doc: Doc, start: int, end: int) -> Doc:
    """Tokens start..end of `doc` as a Doc of their own, with its entities and span groups."""
    tokens = doc[start:end]
    spaces = [bool(token.whitespace_) for token in tokens]
    spaces[-1] = False  # a piece ends at its last word
    piece = Doc(doc.vocab, words=[token.text for token in tokens], spaces=spaces)
    piece.ents = [
        SpacySpan(piece, e.start - start, e.end - start, label=e.label_)
        for e in doc.ents
        if e.start >= start and e.end <= end
    ]
    for key, group in doc.spans.items():
        inside = [s for s in group if s.start >= start and s.end <= end]
        if inside:
            piece.spans[key] = [
                SpacySpan(piece, s.start - start, s.end - start, label=s.label_) for s in inside
            ]
    offset, length = doc[start].idx, len(piece.text)
    stances = []
    for stance in doc.user_data.get("stances", []):
        evidence = _shifted(stance.get("evidence"), offset, length)
        if evidence is not None:
            roles = {k: _shifted(v, offset, length) for k, v in stance.items() if k != "label"}
            stances.append({**stance, **roles, "evidence": evidence})
    piece.user_data["stances"] = stances
    piece.user_data["input_hash"] = doc.user_data.get("input_hash")
    piece.user_data["piece"] = start
    return piece


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    return start, end


def cut(doc: Doc, unit: str) -> list[Doc]:
    """The paragraphs (or sentences) of `doc` as Docs; whitespace-only pieces are left out."""
    bounds = [0, *_cuts(doc, unit), len(doc)]
    pieces = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        start, end = _trimmed(doc, start, end)
        if start < end:
            pieces.append(_piece(doc, start, end))
    return pieces


def pieces_of(docs: Sequence[Doc]) -> Pieces:
    """The documents' paragraphs, or their sentences when paragraphs are too few."""
    paragraphs = [piece for doc in docs for piece in cut(doc, "paragraph")]
    if len(paragraphs) >= MIN_EXAMPLES:
        return Pieces(paragraphs, "paragraph")
    return Pieces([piece for doc in docs for piece in cut(doc, "sentence")], "sentence")


def piece_key(seed: int, doc: Doc) -> bytes:
    """A seeded sort key for a piece: its document's hash and where in it the piece starts."""
    name = f"{seed}:{doc.user_data.get('input_hash')}:{doc.user_data.get('piece', 0)}"
    return hashlib.blake2b(name.encode(), digest_size=8).digest()


def unsplit_entities(docs: Sequence[Doc], nlp: Any) -> tuple[list[Doc], int]:
    """The docs with each entity that a sentence start of `nlp` falls inside marked missing;
    returns them and how many entities that was.

    `nlp` is the base pipeline without its ner: the components that annotate while the ner
    trains. It reads each text with its own tokenizer, as spaCy's corpus reader does.
    """
    result: list[Doc] = []
    dropped = 0
    for doc, parsed in zip(docs, nlp.pipe(doc.text for doc in docs), strict=True):
        if not parsed.has_annotation("SENT_START"):
            result.append(doc)
            continue
        starts = {token.idx for token in parsed if token.is_sent_start}
        split = [e for e in doc.ents if any(e.start_char < s < e.end_char for s in starts)]
        if not split:
            result.append(doc)
            continue
        copy = doc.copy()
        kept = [SpacySpan(copy, e.start, e.end, label=e.label_) for e in doc.ents if e not in split]
        missing = [SpacySpan(copy, e.start, e.end) for e in split]
        copy.set_ents(kept, missing=missing, default="outside")
        result.append(copy)
        dropped += len(split)
    return result, dropped
