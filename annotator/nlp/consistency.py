"""The consistency rule: one label per name within a document, and the short form of a
full name ("Wang" after "Wang Yi") inherits the full name's label; a majority label that
cannot be right (a country's abbreviation as PERSON, a place after "in") is checked.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from annotator.nlp.title_rules import (
    CORPORATE_ENDINGS,
    NAME_LABELS,
    is_name_token,
    shouted_tokens,
)

# --- document-level consistency ---------------------------------------------------------


def name_key(text: str) -> str:
    """How two mentions are compared: case, a leading "the" and a possessive do not count."""
    key = re.sub(r"\s+", " ", text).strip()
    key = re.sub(r"^(the|The)\s+", "", key)
    key = re.sub(r"['’]s$", "", key)
    return key


def short_forms(full_names: Iterable[Span]) -> dict[str, str]:
    """Each name part of a multi-word PERSON ("Wang" of "Wang Yi") -> PERSON, and the first
    word of a company's full name ("Bre-X" of "Bre-X Minerals Ltd") -> ORG."""
    forms: dict[str, str] = {}
    for span in full_names:
        if span.label_ == "ORG":
            if len(span) > 1 and span[-1].lower_ in CORPORATE_ENDINGS:
                first = _first_word(span)
                if first is not None:
                    forms.setdefault(first, "ORG")
            continue
        parts = [t for t in span if t.is_alpha and is_name_token(t)]
        if len(parts) < 2:
            continue
        for part in parts:
            if len(part) > 1 and not part.is_stop:
                forms.setdefault(part.text, span.label_)
    return forms


def _first_word(span: Span) -> str | None:
    """The first word of a name with its hyphenated parts ("Bre-X"), if it is a name word."""
    end = span.start + 1
    doc = span.doc
    while end + 1 < span.end and doc[end].text == "-" and not doc[end - 1].whitespace_:
        end += 2
    word = doc[span.start : end]
    if not word[0].text[:1].isupper() or word[0].lower_ in ("the", "a"):
        return None
    return word.text


def _unlikely_person(ent: Span) -> bool:
    """A one-word "person" shaped like a company or a code ("Bre-X", "3M")."""
    if ent.label_ != "PERSON" or len([t for t in ent if not t.is_punct]) > 1:
        return False
    text = ent.text
    return any(c.isdigit() for c in text) or bool(re.search(r"-[A-Z](?![a-z])", text))


# All-capital abbreviations that do name countries; any other ("BRICS", "OPEC") is a body.
COUNTRY_ABBREVIATIONS = frozenset({"US", "USA", "UK", "UAE", "USSR", "PRC", "DPRK", "DRC", "ROK"})
# "in Borneo": a one-word "person" after these is a place.
PLACE_PREPOSITIONS = frozenset({"in", "across", "throughout", "near", "off", "around", "inside"})


def checked_label(ent: Span) -> str:
    """The entity's label, or what its shape and context say instead: a one-word "person"
    shaped like a company ("Bre-X", "3M") is an ORG, as is an abbreviation tagged as a country
    that names none ("BRICS"); a one-word "person" after "in" or "across" is a place."""
    label = ent.label_
    if _unlikely_person(ent):
        return "ORG"
    text = ent.text
    if label == "GPE" and text.isalpha() and text.isupper() and len(text) >= 3:
        return label if text in COUNTRY_ABBREVIATIONS or not _in_running_text(ent) else "ORG"
    if label == "PERSON" and len(ent) == 1 and ent.start > 0:
        before = ent.doc[ent.start - 1]
        after = ent.doc[ent.end] if ent.end < len(ent.doc) else None
        if before.lower_ in PLACE_PREPOSITIONS and not (after is not None and after.tag_ == "POS"):
            return "LOC"
    return label


def _in_running_text(ent: Span) -> bool:
    """Inside a sentence written in ordinary case, not opening a line (a dateline) or on a
    shouted line, where capitals say nothing."""
    doc = ent.doc
    if ent.start == 0 or "\n" in doc[ent.start - 1].text or ent.start == ent.sent.start:
        return False
    words = [t for t in ent.sent if t.is_alpha and len(t) > 1]
    return sum(t.is_lower for t in words) > len(words) / 2


def _majority_labels(ents: Sequence[Span]) -> dict[str, str]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for ent in ents:
        if ent.label_ in NAME_LABELS:
            votes[name_key(ent.text)][checked_label(ent)] += 1
    decided: dict[str, str] = {}
    for key, counter in votes.items():
        (best, count), *rest = counter.most_common()
        if not rest or rest[0][1] < count:  # a tie decides nothing
            decided[key] = best
    return decided


def _unlabelled_mentions(doc: Doc, names: dict[tuple[str, ...], str]) -> list[Span]:
    """Occurrences of known names that the model left untagged (exact, token-aligned)."""
    covered = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    longest_first = sorted(names.items(), key=lambda item: -len(item[0]))
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for words, label in longest_first:
        by_first[words[0]].append((words, label))
    found: list[Span] = []
    for token in doc:
        if token.i in covered or token.text not in by_first:
            continue
        for words, label in by_first[token.text]:
            end = token.i + len(words)
            if end > len(doc) or any(i in covered for i in range(token.i, end)):
                continue
            if _inside_longer_name(doc, token.i, end):
                continue
            if len(words) == 1 and token.pos_ != "PROPN":
                continue  # "Men" heading a results table is a word, not the name "Men"
            if tuple(t.text for t in doc[token.i : end]) == words:
                found.append(Span(doc, token.i, end, label=label))
                covered.update(range(token.i, end))
                break
    return found


def _inside_longer_name(doc: Doc, start: int, end: int) -> bool:
    """ "Asia" in "Central Asia": a capitalised neighbour means a different, longer name."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    if before is not None and before.is_title and not before.is_sent_start:
        return True
    return after is not None and after.is_title and after.pos_ == "PROPN"


def _known_names(
    ents: Sequence[Span], forms: dict[str, str], common: set[str]
) -> dict[tuple[str, ...], str]:
    """Names worth finding again: every PERSON, one-word names, and short forms of persons
    and companies; never a word the text also uses in lower case ("Women", "Golf")."""
    labels: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for ent in ents:
        words = tuple(t.text for t in ent)
        if checked_label(ent) != ent.label_:
            continue
        if ent.label_ == "PERSON" or (
            ent.label_ in NAME_LABELS and len(words) == 1 and words[0][:1].isupper()
        ):
            labels[words].add(ent.label_)
    for form, label in forms.items():
        labels[(form,)] = {label}
    # A name still tagged two ways is ambiguous: better no suggestion than a wrong one.
    return {
        words: next(iter(found))
        for words, found in labels.items()
        if len(found) == 1 and not (len(words) == 1 and words[0].lower() in common)
    }


def _common_words(doc: Doc) -> set[str]:
    """Words the text writes in lower case somewhere, and function words."""
    return {t.lower_ for t in doc if t.is_lower or t.is_stop}


def make_labels_consistent(doc: Doc, add_missing: bool = True) -> Doc:
    """One label per name in the document; short forms of full names follow the full name.

    With `add_missing`, untagged occurrences of a name tagged elsewhere are suggested too.
    Entities on all-capitals lines (headlines, tables) neither vote nor spread: the model
    guesses there.
    """
    ents = list(doc.ents)
    if not ents:
        return doc
    shouted = shouted_tokens(doc) if any(t.is_upper for t in doc) else set()
    voters = [ent for ent in ents if ent.start not in shouted]
    forms = short_forms(ent for ent in voters if ent.label_ in ("PERSON", "ORG"))
    decided = _majority_labels(voters)
    relabelled: list[Span] = []
    for ent in ents:
        key = name_key(ent.text)
        if key in forms and ent.label_ in NAME_LABELS:
            label = forms[key]
        elif ent.label_ in NAME_LABELS:
            label = decided.get(key, checked_label(ent))
        else:
            label = ent.label_
        same = label == ent.label_
        relabelled.append(ent if same else Span(doc, ent.start, ent.end, label=label))
    doc.ents = relabelled
    if add_missing:
        voting = [ent for ent in relabelled if ent.start not in shouted]
        missing = _unlabelled_mentions(doc, _known_names(voting, forms, _common_words(doc)))
        doc.ents = filter_spans(relabelled + [m for m in missing if m.start not in shouted])
    return doc


# --- the component ---------------------------------------------------------------------


@Language.factory("annotator_consistency", default_config={"add_missing": True})
def make_consistency_component(nlp: Language, name: str, add_missing: bool) -> LabelConsistency:
    """Document-level label consistency; `add_missing` also tags untagged repeats of names."""
    return LabelConsistency(add_missing)


class LabelConsistency:
    """The consistency component; a class so its setting is saved in the pipeline config."""

    def __init__(self, add_missing: bool = True) -> None:
        self.add_missing = add_missing

    def __call__(self, doc: Doc) -> Doc:
        return make_labels_consistent(doc, self.add_missing)
