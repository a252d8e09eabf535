"""Functions that trained pipelines name in their config.cfg, registered with spaCy.

spaCy resolves `{"@misc": "annotator.clause_suggester.v1"}` by name when a pipeline is loaded,
so this module must be imported first: `load_pipeline` does so, spaCy's entry points do so in a
process that never imports annotator (pyproject.toml), and `python -m spacy ... --code
annotator/nlp/registrations.py` does so for spaCy's CLI. The names are kept from when this
module lived in `annotator.training`, so models saved then load unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.tokens import Doc, Token
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

CLAUSE_SUGGESTER = "annotator.clause_suggester.v1"
SOURCED_LOOKUPS = "annotator.sourced_lookups.v1"
# Dependency labels whose subtree is a clause (or a clause-like complement) in spaCy's
# English (ClearNLP) scheme.
CLAUSE_DEPS = frozenset(
    {"ROOT", "ccomp", "xcomp", "advcl", "relcl", "csubj", "csubjpass", "parataxis", "conj"}
)
# Tokens that end a sentence when the pipeline has no sentence boundaries of its own.
SENTENCE_END = frozenset({".", "!", "?"})
# Punctuation inside words ("one-China", "and/or") does not delimit clauses.
WORD_INTERNAL_PUNCT = frozenset({"-", "/", "'", "\u2019", "&"})
# Words that open a new clause; a segment may start at them, so a blank pipeline (no parse)
# still proposes "because it costs too much" and "Critics reject the plan".
CLAUSE_OPENERS = frozenset(
    {
        "because",
        "but",
        "although",
        "though",
        "while",
        "whereas",
        "and",
        "or",
        "that",
        "which",
        "who",
        "if",
        "unless",
        "since",
        "so",
        "after",
        "before",
        "when",
    }
)

Suggester = Callable[..., Ragged]


def _is_boundary(token: Token) -> bool:
    """Punctuation (but not a word's hyphen), quotes, brackets and whitespace delimit clauses."""
    if token.is_space:
        return True
    if token.text in WORD_INTERNAL_PUNCT:
        return False
    return bool(token.is_punct or token.is_quote or token.is_bracket)


def _sentences(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the sentences: the pipeline's own if it set them, else split at . ! ?"""
    if doc.has_annotation("SENT_START"):
        return [(sent.start, sent.end) for sent in doc.sents]
    ranges: list[tuple[int, int]] = []
    start = 0
    for token in doc:
        if token.text in SENTENCE_END:
            ranges.append((start, token.i + 1))
            start = token.i + 1
    if start < len(doc):
        ranges.append((start, len(doc)))
    return ranges


def _segment_spans(doc: Doc, max_length: int) -> set[tuple[int, int]]:
    """Runs of tokens between punctuation, and every run of consecutive runs in a sentence.

    This needs no parser, so a blank pipeline can propose "X firmly adheres to Y" out of
    "X firmly adheres to Y, Z said."
    """
    spans: set[tuple[int, int]] = set()
    for sent_start, sent_end in _sentences(doc):
        segments: list[tuple[int, int]] = []
        start: int | None = None
        for i in range(sent_start, sent_end):
            if _is_boundary(doc[i]):
                if start is not None:
                    segments.append((start, i))
                    start = None
            elif start is None:
                start = i
            elif doc[i].lower_ in CLAUSE_OPENERS:
                segments.append((start, i))
                start = i
        if start is not None:
            segments.append((start, sent_end))
        for first, (seg_start, _) in enumerate(segments):
            for seg_end in (end for _, end in segments[first:]):
                if seg_end - seg_start > max_length:
                    break
                spans.add((seg_start, seg_end))
    return spans


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """The range without punctuation or whitespace at its edges (None when nothing is left)."""
    while start < end and _is_boundary(doc[start]):
        start += 1
    while end > start and _is_boundary(doc[end - 1]):
        end -= 1
    return (start, end) if start < end else None


def _parse_spans(doc: Doc, max_length: int) -> set[tuple[int, int]]:
    """The subtree of each clause head, when the pipeline has a dependency parse."""
    spans: set[tuple[int, int]] = set()
    if not doc.has_annotation("DEP"):
        return spans
    for token in doc:
        if token.dep_ not in CLAUSE_DEPS:
            continue
        if token.dep_ == "conj" and token.pos_ not in ("VERB", "AUX"):
            continue  # "apples and pears" is no clause
        span = _trimmed(doc, token.left_edge.i, token.right_edge.i + 1)
        if span is not None and span[1] - span[0] <= max_length:
            spans.add(span)
    return spans


def clause_spans(doc: Doc, max_length: int = 40) -> list[tuple[int, int]]:
    """Candidate clause spans of a Doc as sorted (start, end) token ranges, end exclusive."""
    return sorted(_segment_spans(doc, max_length) | _parse_spans(doc, max_length))


def clause_suggester(
    docs: Iterable[Doc], max_length: int = 40, *, ops: Ops | None = None
) -> Ragged:
    """Suggest clause-length spans for spaCy's span categorizer, one ragged row per Doc."""
    if ops is None:
        ops = get_current_ops()
    rows: list[tuple[int, int]] = []
    lengths: list[int] = []
    for doc in docs:
        spans = clause_spans(doc, max_length)
        rows.extend(spans)
        lengths.append(len(spans))
    lengths_array = ops.asarray1i(lengths)
    if not rows:
        return Ragged(ops.xp.zeros((0, 0), dtype="i"), lengths_array)
    return Ragged(ops.asarray2i(rows), lengths_array)


@registry.misc(CLAUSE_SUGGESTER)
def make_clause_suggester(max_length: int = 40) -> Suggester:
    """The registered factory: `{"@misc": "annotator.clause_suggester.v1", "max_length": 40}`."""

    def suggest(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        return clause_suggester(docs, max_length, ops=ops)

    return suggest


@registry.misc(SOURCED_LOOKUPS)
def sourced_lookups(model: str, component: str = "lemmatizer") -> Any:
    """The lookup tables a base pipeline's lemmatizer was saved with.

    `spacy debug data` initializes every component, frozen ones too, and a rule lemmatizer
    would otherwise fetch its tables from spacy-lookups-data, which a pipeline package does
    not need and this tool does not install. (Training never re-initializes frozen
    components, so it does not call this.)
    """
    import spacy

    lemmatizer: Any = spacy.load(model).get_pipe(component)
    return lemmatizer.lookups
