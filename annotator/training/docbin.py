"""Export records to spaCy training data: Docs in DocBin files, split into train and dev.

What goes where, for each record whose `answer` is "accept" (finished documents; "ignore" and
"reject" and unfinished documents are not training data and are counted as skipped):

- tokens: the record's own tokens, so every offset of the record indexes the Doc's text;
  whitespace between tokens becomes `Token.whitespace_` (or a whitespace token), and the Doc's
  text is checked to equal the record's text;
- `spans` (the final entity spans) -> `doc.ents`; every other token is "O": an accepted
  document was reviewed in full, so a token outside every entity is known not to be one;
- `rejected_spans` -> `doc.spans["incorrect_spans"]`, the key the ner component's
  `incorrect_spans_key` reads in the training config: rejected suggestions become explicit
  negative examples (a rejected span identical to a final one is dropped as contradictory);
- stance evidence -> `doc.spans["stance"]` labelled FAVOR / AGAINST / NEUTRAL (the span
  categorizer's key); cue, holder, speaker and target -> `doc.spans["stance_cue"]`,
  `["stance_holder"]`, `["stance_speaker"]`, `["stance_target"]`, each labelled with the
  polarity of its stance; rejected stances' evidence -> `doc.spans["stance_rejected"]`;
- the stances themselves (roles, `negated`) -> `doc.user_data["stances"]`, so the link
  between an evidence span and its holder and target survives.

A span group with nothing in it is not written (`doc.spans.get(key, [])` reads it as empty,
as spaCy's ner and spancat do).

Stance roles are character ranges; a range that does not fall on token boundaries is widened
to the tokens it touches.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin
from spacy.tokens import Span as SpacySpan
from spacy.vocab import Vocab

from annotator.core.corpus import BadRecord, iter_json_values, parse_record
from annotator.core.files import check_output_folder, write_atomically
from annotator.core.model import CorpusRecord, Stance, TextRef, Token
from annotator.errors import AnnotatorError, InputError
from annotator.nlp.trained_stances import STANCE_KEY
from annotator.training.sentences import piece_key, pieces_of

INCORRECT_SPANS_KEY = "incorrect_spans"
REJECTED_STANCES_KEY = "stance_rejected"
ROLE_KEYS = {
    "cue": "stance_cue",
    "holder": "stance_holder",
    "speaker": "stance_speaker",
    "target": "stance_target",
}
TRAIN_FILE = "train.spacy"
DEV_FILE = "dev.spacy"
DEFAULT_DEV_FRACTION = 0.2
DEFAULT_SEED = 0


@dataclass(frozen=True)
class TrainingDocs:
    """Accepted documents as spaCy Docs, split into train and dev; what was left out, by why."""

    train: list[Doc]
    dev: list[Doc]
    skipped: dict[str, int] = field(default_factory=dict)
    # Few documents are cut into paragraphs or sentences (training/sentences.py): what train
    # and dev hold then, and how many accepted documents they came from.
    unit: str = "document"
    documents: int = 0


@dataclass(frozen=True)
class DocBinExport:
    """Where `write_docbins` put the two files and how many documents each holds."""

    train_path: Path
    dev_path: Path
    train_count: int
    dev_count: int
    skipped: dict[str, int]


def read_export(path: Path) -> list[CorpusRecord]:
    """Every record of an export JSONL file, checked; a bad line is an InputError naming it."""
    from annotator.nlp.pipeline import blank_tokenizer

    records: list[CorpusRecord] = []
    for line, value in iter_json_values(path):
        try:
            records.append(parse_record(value, blank_tokenizer()))
        except BadRecord as error:
            raise InputError(path, f"{error}; fix or remove this line", line) from None
    if not records:
        raise InputError(path, "holds no records; write one with `annotator export -o FILE.jsonl`")
    return records


def records_from_dicts(records: Iterable[dict[str, Any]]) -> Iterator[CorpusRecord]:
    """Parse export records made in memory (from the store) the way a file's are parsed."""
    from annotator.nlp.pipeline import blank_tokenizer

    for number, record in enumerate(records, start=1):
        try:
            yield parse_record(record, blank_tokenizer())
        except BadRecord as error:
            raise AnnotatorError(f"export record {number}: {error}") from None


def _words_and_spaces(text: str, tokens: Sequence[Token]) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags that rebuild `text` exactly from the record's tokens.

    A single space after a token becomes its `whitespace_`; any other text between tokens
    (newlines, runs of spaces, characters a foreign tokenizer skipped) becomes a token of its
    own, so no character of the text is lost and every character offset stays valid.
    """
    words: list[str] = []
    spaces: list[bool] = []

    def add_gap(gap: str) -> None:
        if not gap:
            return
        if words and not spaces[-1] and gap.startswith(" "):
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)

    position = 0
    for token in tokens:
        if token.end <= token.start:
            continue  # an empty token covers no text; spaCy has no such thing
        add_gap(text[position : token.start])
        words.append(text[token.start : token.end])
        spaces.append(False)
        position = token.end
    add_gap(text[position:])
    return words, spaces


def _span(doc: Doc, start: int, end: int, label: str, what: str, strict: bool) -> SpacySpan:
    span = doc.char_span(start, end, label=label, alignment_mode="strict" if strict else "expand")
    if span is None:
        raise BadRecord(f"{what} ({start}-{end}) does not fall on token boundaries")
    return span


def _ref_span(doc: Doc, ref: TextRef, label: str, what: str) -> SpacySpan:
    return _span(doc, ref.start, ref.end, label, what, strict=False)


def doc_from_record(vocab: Vocab, record: CorpusRecord) -> Doc:
    """The spaCy Doc of one annotated record (see the module docstring for the mapping)."""
    document = record.document
    if not document.tokens:
        raise BadRecord("the record has no tokens")
    words, spaces = _words_and_spaces(document.text, document.tokens)
    doc = Doc(vocab, words=words, spaces=spaces)
    if doc.text != document.text:
        raise BadRecord("the tokens do not rebuild the text")  # a bug, not input: say where
    state = record.initial
    spans = state.spans if state is not None else ()
    stances = state.stances if state is not None else ()

    gold = [s for s in spans if s.status != "rejected"]
    doc.ents = [
        _span(doc, s.start, s.end, s.label, f"entity {s.text!r}", strict=True) for s in gold
    ]
    gold_keys = {(s.start, s.end, s.label) for s in gold}
    groups: dict[str, list[SpacySpan]] = {
        INCORRECT_SPANS_KEY: [
            _span(doc, s.start, s.end, s.label, f"rejected span {s.text!r}", strict=True)
            for s in spans
            if s.status == "rejected" and (s.start, s.end, s.label) not in gold_keys
        ]
    }
    live = [s for s in stances if s.status != "rejected"]
    groups[STANCE_KEY] = [
        _ref_span(doc, s.evidence, s.label, f"stance {s.id} evidence") for s in live
    ]
    for role, key in ROLE_KEYS.items():
        groups[key] = [
            _ref_span(doc, ref, s.label, f"stance {s.id} {role}")
            for s in live
            if (ref := s.role(role)) is not None
        ]
    groups[REJECTED_STANCES_KEY] = [
        _ref_span(doc, s.evidence, s.label, f"stance {s.id} evidence")
        for s in stances
        if s.status == "rejected"
    ]
    for key, group in groups.items():
        # Empty groups are left out: spaCy reads a missing key as empty, and every group
        # costs a msgpack decode per document per epoch when the corpus is read.
        if group:
            doc.spans[key] = group
    doc.user_data["stances"] = [_stance_link(s) for s in live]
    doc.user_data["input_hash"] = document.input_hash
    return doc


def _stance_link(stance: Stance) -> dict[str, Any]:
    """A stance as plain data (msgpack-able) for `doc.user_data`."""
    record = stance.to_json()
    return {k: v for k, v in record.items() if k not in ("source", "status")}


@cache
def english_vocab() -> Vocab:
    """A blank English vocab: its lexical attributes (is_space, is_punct...) are filled in."""
    import spacy

    return spacy.blank("en").vocab


def _split_key(seed: int, input_hash: int) -> bytes:
    """A seeded, order-independent sort key: the same seed always puts a document in the
    same split, whatever order the export lists the documents in."""
    return hashlib.blake2b(f"{seed}:{input_hash}".encode(), digest_size=8).digest()


def dev_size(count: int, dev_fraction: float) -> int:
    """How many of `count` documents go to dev: the fraction rounded, at least one each side."""
    return min(max(1, round(count * dev_fraction)), count - 1)


def training_docs(
    records: Iterable[CorpusRecord],
    dev_fraction: float = DEFAULT_DEV_FRACTION,
    seed: int = DEFAULT_SEED,
    vocab: Vocab | None = None,
    where: str = "the export",
    min_documents: int = 0,
) -> TrainingDocs:
    """Docs of the accepted records, split deterministically into train and dev.

    With fewer than `min_documents` accepted documents, their paragraphs (or sentences) are
    split instead, so one long article still gives a train and a dev part.
    """
    if not 0.0 < dev_fraction < 1.0:
        raise AnnotatorError(f"--dev-fraction must be between 0 and 1, not {dev_fraction}")
    vocab = vocab if vocab is not None else english_vocab()
    skipped: Counter[str] = Counter()
    keyed: list[tuple[bytes, int, Doc]] = []
    for number, record in enumerate(records):
        answer = record.initial.answer if record.initial is not None else None
        if answer != "accept":
            skipped[answer or "unfinished"] += 1
            continue
        try:
            doc = doc_from_record(vocab, record)
        except BadRecord as error:
            raise AnnotatorError(f"{where}, record {number + 1}: {error}") from None
        keyed.append((_split_key(seed, record.document.input_hash), number, doc))
    documents, unit = len(keyed), "document"
    if 0 < documents < min_documents:
        pieces = pieces_of([doc for _, _, doc in keyed])
        if len(pieces.docs) > documents:  # one-sentence documents stay documents
            keyed = [(piece_key(seed, doc), n, doc) for n, doc in enumerate(pieces.docs)]
            unit = pieces.unit
    if len(keyed) < 2:
        left_out = ", ".join(f"{n} {why}" for why, n in sorted(skipped.items())) or "none"
        raise AnnotatorError(
            f"{where} has {len(keyed)} accepted document(s) (left out: {left_out}); training "
            "needs at least 2 (train and dev): finish more documents and export again"
        )
    keyed.sort(key=lambda item: (item[0], item[1]))
    n_dev = dev_size(len(keyed), dev_fraction)
    dev = [doc for _, _, doc in keyed[:n_dev]]
    # The train split stays in the seeded order: the learning curve's subsets are its
    # prefixes, so each is a random sample (not the first articles of the corpus) and each
    # contains the smaller ones.
    train = [doc for _, _, doc in keyed[n_dev:]]
    return TrainingDocs(train, dev, dict(skipped), unit, documents)


def docbin_bytes(docs: Iterable[Doc]) -> bytes:
    """The DocBin of `docs`, with span groups and user data (the stance links)."""
    docbin = DocBin(store_user_data=True)
    for doc in docs:
        docbin.add(doc)
    return docbin.to_bytes()


def write_docbin(docs: Iterable[Doc], path: Path) -> int:
    """Write one .spacy file atomically; returns the number of bytes."""
    data = docbin_bytes(docs)
    return write_atomically(path, lambda handle: handle.write(data), mode="wb")


def write_docbins(split: TrainingDocs, output_dir: Path) -> DocBinExport:
    """Write train.spacy and dev.spacy into `output_dir`."""
    check_output_folder(output_dir, "spaCy export (--format spacy)")
    train_path, dev_path = output_dir / TRAIN_FILE, output_dir / DEV_FILE
    write_docbin(split.train, train_path)
    write_docbin(split.dev, dev_path)
    return DocBinExport(
        train_path=train_path,
        dev_path=dev_path,
        train_count=len(split.train),
        dev_count=len(split.dev),
        skipped=split.skipped,
    )


def read_docbin(path: Path, vocab: Vocab | None = None) -> list[Doc]:
    """The Docs of a .spacy file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read ({error.strerror})") from None
    try:
        docbin = DocBin(store_user_data=True).from_bytes(data)
    except Exception:  # msgpack and zlib fail in many ways on a file that is not a DocBin
        raise InputError(path, "is not a spaCy DocBin (.spacy) file") from None
    return list(docbin.get_docs(vocab if vocab is not None else english_vocab()))


def export_docbins_from_file(
    export_path: Path,
    output_dir: Path,
    dev_fraction: float = DEFAULT_DEV_FRACTION,
    seed: int = DEFAULT_SEED,
) -> DocBinExport:
    """Convert an export JSONL file into train.spacy and dev.spacy."""
    split = training_docs(read_export(export_path), dev_fraction, seed, where=str(export_path))
    return write_docbins(split, output_dir)


def export_docbins_from_store(
    store: Any,
    annotator: str,
    output_dir: Path,
    dev_fraction: float = DEFAULT_DEV_FRACTION,
    seed: int = DEFAULT_SEED,
    include_unfinished: bool = False,
) -> DocBinExport:
    """Write train.spacy and dev.spacy from a store: the same records the JSONL export holds."""
    from annotator.core.export import export_records, validated
    from annotator.nlp.pipeline import blank_tokenizer

    exported = validated(export_records(store, annotator, include_unfinished, blank_tokenizer()))
    split = training_docs(
        records_from_dicts(exported),
        dev_fraction,
        seed,
        where=f"the store's annotations by {annotator}",
    )
    return write_docbins(split, output_dir)
