"""Rule components that correct the statistical NER's suggestions before a person sees them.

Four independent fixes, each a spaCy component so it can be switched off and saved with a
pipeline:

- `annotator_boilerplate`: no entity suggestions in page furniture (copyright lines,
  registration numbers, navigation such as "About us | Contact us").
- `annotator_datelines`: the place in a news dateline ("ASTANA, May 20 --",
  "WASHINGTON (Reuters) -") is a GPE.
- `annotator_titles`: a name right after a title ("President X", "Foreign Minister X") is a
  PERSON, and a nationality glued to the title ("Kazakh President") is not an ORG.
- `annotator_consistency`: one label per name within a document, and the short form of a full
  name ("Wang" after "Wang Yi") inherits the full name's label.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

# Lines like these are site furniture in scraped news pages; anything the NER finds there is
# noise ("Contact us" as ORG, a registration number as DATE).
BOILERPLATE_LINE = re.compile(
    r"copyright|©|\(c\)\s*\d{4}|all rights reserved|registration number|identification code"
    r"|icp (?:license|licence)|shall not be (?:republished|reproduced)"
    r"|without (?:prior )?written (?:authori[sz]ation|permission)",
    re.IGNORECASE,
)


def _word_set(text: str, separator: str | None = None) -> frozenset[str]:
    """A set from a readable block of words (or `separator`-separated phrases)."""
    return frozenset(part.strip() for part in text.split(separator) if part.strip())


NAVIGATION_PHRASES: frozenset[str] = _word_set(
    """
    about us; contact us; contact; privacy policy; privacy; terms of use; terms of service;
    terms and conditions; sitemap; site map; subscribe; sign in; log in; login; register;
    advertise; advertise with us; back to top; home; help; faq; careers; rss; newsletter;
    cookies; cookie policy; accessibility; feedback; share; print; email
    """,
    ";",
)
NAVIGATION_SEPARATORS = re.compile(r"\s*[|·•»]\s*")

# The last word of a title; modifiers before it ("Foreign", "Deputy Prime") need no listing.
TITLE_WORDS: frozenset[str] = _word_set(
    """
    president minister premier chancellor senator sen. rep. representative governor mayor king
    queen prince princess pope ambassador envoy secretary secretary-general chairman chairwoman
    chair spokesman spokeswoman spokesperson general gen. admiral colonel col. captain capt.
    mr. mrs. ms. mr mrs ms dr. dr sir dame lord lady judge justice sheikh emir sultan ayatollah
    chief director commissioner speaker leader fm pm
    """
)
# Demonyms mostly end like these ("Kazakh", "Chinese", "British", "Israeli", "French").
DEMONYM_ENDINGS: tuple[str, ...] = ("an", "ese", "ish", "i", "kh", "ch", "ic", "ek", "ss")
# Counts, dates and amounts legitimately change label with context; names do not.
NAME_LABELS: frozenset[str] = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)
# Words that may precede a title word inside the title ("Deputy Prime Minister").
TITLE_MODIFIERS: frozenset[str] = _word_set(
    """
    foreign prime deputy vice defense defence finance interior state first former acting chief
    executive trade health justice energy economy education home grand crown supreme
    """
)
# Nobility and religious titles are part of how a person is named ("Prince George", "Pope
# Francis"), as annotators mark them; office titles ("President") are not.
NAME_TITLES: frozenset[str] = _word_set(
    """
    prince princess king queen sir dame lord lady pope sheikh emir sultan ayatollah
    """
)
# A capitalised word like these after a "title" means an organisation ("Premier League Team").
ORGANISATION_WORDS: frozenset[str] = _word_set(
    """
    league team club party committee council cup association union university college
    group bank company corporation ministry office department court
    """
)
MAX_NAME_TOKENS = 5


# --- boilerplate ------------------------------------------------------------------------


def boilerplate_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of the lines of `text` that are page furniture, not article text."""
    ranges: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if is_boilerplate_line(line):
            ranges.append((offset, offset + len(line)))
        offset += len(line) + 1
    return ranges


def is_boilerplate_line(line: str) -> bool:
    """A copyright/registration line, or a line made only of navigation links."""
    stripped = line.strip()
    if not stripped:
        return False
    if BOILERPLATE_LINE.search(stripped):
        return True
    parts = [p.strip().lower() for p in NAVIGATION_SEPARATORS.split(stripped) if p.strip()]
    return bool(parts) and all(p in NAVIGATION_PHRASES for p in parts)


def drop_boilerplate_entities(doc: Doc) -> Doc:
    """Remove every entity that lies in a boilerplate line."""
    ranges = boilerplate_ranges(doc.text)
    if not ranges:
        return doc

    def in_boilerplate(ent: Span) -> bool:
        # The NER sometimes swallows the line break after a link ("Contact us\n\n").
        end_char = ent.start_char + len(ent.text.rstrip())
        return any(start <= ent.start_char and end_char <= end for start, end in ranges)

    doc.ents = [ent for ent in doc.ents if not in_boilerplate(ent)]
    return doc


# --- datelines --------------------------------------------------------------------------

MONTHS: frozenset[str] = _word_set(
    """
    january february march april may june july august september october november december
    jan jan. feb feb. mar mar. apr apr. jun jun. jul jul. aug aug. sep sep. sept sept. oct oct.
    nov nov. dec dec.
    """
)
NOT_PLACES: frozenset[str] = _word_set("update updated breaking exclusive watch video photos live")
DASHES = frozenset({"-", "--", "—", "–"})
MAX_PLACE_TOKENS = 3


def dateline_places(doc: Doc) -> list[Span]:
    """The upper-case place opening a line when a date ("ASTANA, May 20") or an agency and a
    dash ("WASHINGTON (Reuters) -") follows it."""
    places = []
    for token in doc:
        if not (token.i == 0 or "\n" in doc[token.i - 1].text or token.is_sent_start):
            continue
        end = token.i
        while end < len(doc) and end - token.i < MAX_PLACE_TOKENS and _is_upper_word(doc[end]):
            end += 1
        if end == token.i or end >= len(doc) - 1:
            continue
        if any(t.lower_ in NOT_PLACES for t in doc[token.i : end]):
            continue
        after, following = doc[end], doc[end + 1]
        dated = after.text == "," and following.lower_ in MONTHS
        agency = after.text == "(" and _agency_then_dash(doc, end + 1)
        if dated or agency:
            places.append(Span(doc, token.i, end, label="GPE"))
    return places


def _is_upper_word(token: Token) -> bool:
    return token.is_alpha and token.is_upper and len(token) > 1


def _agency_then_dash(doc: Doc, start: int) -> bool:
    for index in range(start, min(start + 4, len(doc) - 1)):
        if doc[index].text == ")":
            return doc[index + 1].text in DASHES
    return False


def apply_datelines(doc: Doc) -> Doc:
    """Tag dateline places as GPE, replacing whatever entity overlapped them."""
    places = dateline_places(doc)
    if places:
        taken = {i for span in places for i in range(span.start, span.end)}
        kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
        doc.ents = filter_spans(places + kept)
    return doc


# --- titles -----------------------------------------------------------------------------


def _is_name_token(token: Token) -> bool:
    return token.is_title or (token.is_upper and len(token) > 1 and token.is_alpha)


def name_after_title(doc: Doc, title: Token) -> Span | None:
    """The run of capitalised tokens right after a title token, hyphenated parts included."""
    index = title.i + 1
    end = index
    while end < len(doc) and end - index < MAX_NAME_TOKENS:
        token = doc[end]
        if (
            _is_name_token(token)
            and token.pos_ in ("PROPN", "X")
            and token.lower_ not in TITLE_WORDS
        ):
            if token.lower_ in ORGANISATION_WORDS:
                return None
            end += 1
        elif (
            token.text == "-"
            and not token.whitespace_
            and end > index
            and end + 1 < len(doc)
            and _is_name_token(doc[end + 1])
            and not doc[end - 1].whitespace_
        ):
            end += 1  # "Kassym-Jomart": the hyphen is inside the name
        else:
            break
    if end == index:
        return None
    return doc[index:end]


def _is_title(token: Token) -> bool:
    # A title starts with a capital in running text ("Foreign Minister Wang"); "the minister"
    # is a common noun, not a title before a name.
    return token.lower_ in TITLE_WORDS and (token.is_title or token.is_upper)


def _modifier_label(doc: Doc, modifier: Span) -> str:
    """NORP for a nationality before a title ("Kazakh President"), GPE for a country."""
    labels = Counter(ent.label_ for ent in doc.ents if ent.text == modifier.text)
    if labels.get("NORP", 0) >= labels.get("GPE", 0) and labels.get("NORP"):
        return "NORP"
    if labels.get("GPE"):
        return "GPE"
    last = modifier[-1]
    if last.tag_ == "JJ" or last.lower_.endswith(DEMONYM_ENDINGS):
        return "NORP"
    return "GPE"


def title_start(doc: Doc, title: Token) -> int:
    """Index of the first word of the title phrase ending at `title` ("Deputy Prime Minister")."""
    start = title.i
    while start > 0 and doc[start - 1].lower_ in TITLE_MODIFIERS and doc[start - 1].is_title:
        start -= 1
    return start


def _inside_other_entity(doc: Doc, title: Token) -> bool:
    """"Premier League": the title word begins a longer non-person name the NER found."""
    return any(
        ent.start <= title.i and title.i + 1 < ent.end and ent.label_ != "PERSON"
        for ent in doc.ents
    )


def title_person_spans(doc: Doc) -> tuple[list[Span], list[Span]]:
    """(PERSON names found after titles, relabelled modifiers glued to a title)."""
    people: list[Span] = []
    modifiers: list[Span] = []
    for token in doc:
        if not _is_title(token):
            continue
        name = name_after_title(doc, token)
        if name is None or _inside_other_entity(doc, token):
            continue
        start = token.i if token.lower_ in NAME_TITLES else name.start
        people.append(Span(doc, start, name.end, label="PERSON"))
        first = title_start(doc, token)
        for ent in doc.ents:
            if ent.label_ == "PERSON" or ent.start >= first:
                continue
            # "Kazakh President" tagged ORG, or "Kazakh" tagged ORG right before the title:
            # what precedes a title is a nationality or a country, not an organisation.
            if ent.start < first < ent.end or (ent.end == first and ent.label_ == "ORG"):
                part = doc[ent.start : first]
                modifiers.append(Span(doc, part.start, part.end, label=_modifier_label(doc, part)))
    return people, modifiers


def apply_title_patterns(doc: Doc) -> Doc:
    """Make names after titles PERSON, replacing whatever entity overlapped them."""
    people, modifiers = title_person_spans(doc)
    if not people and not modifiers:
        return doc
    fixed = people + modifiers
    taken = {i for span in fixed for i in range(span.start, span.end)}
    kept = [ent for ent in doc.ents if not any(i in taken for i in range(ent.start, ent.end))]
    # Entities that covered the title itself lose it: a title is not part of any name.
    titles = {
        i
        for t in doc
        if _is_title(t)
        and t.lower_ not in NAME_TITLES
        and name_after_title(doc, t) is not None
        and not _inside_other_entity(doc, t)
        for i in range(title_start(doc, t), t.i + 1)
    }
    kept = [ent for ent in kept if not any(i in titles for i in range(ent.start, ent.end))]
    doc.ents = filter_spans(fixed + kept)
    return doc


# --- document-level consistency ---------------------------------------------------------


def name_key(text: str) -> str:
    """How two mentions are compared: case, a leading "the" and a possessive do not count."""
    key = re.sub(r"\s+", " ", text).strip()
    key = re.sub(r"^(the|The)\s+", "", key)
    key = re.sub(r"['’]s$", "", key)
    return key


def short_forms(full_names: Iterable[Span]) -> dict[str, str]:
    """Each name part of a multi-word PERSON ("Wang" of "Wang Yi") -> that PERSON label."""
    forms: dict[str, str] = {}
    for span in full_names:
        parts = [t for t in span if t.is_alpha and _is_name_token(t)]
        if len(parts) < 2:
            continue
        for part in parts:
            if len(part) > 1 and not part.is_stop:
                forms.setdefault(part.text, span.label_)
    return forms


def _majority_labels(ents: Sequence[Span]) -> dict[str, str]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for ent in ents:
        if ent.label_ in NAME_LABELS:
            votes[name_key(ent.text)][ent.label_] += 1
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
            if tuple(t.text for t in doc[token.i : end]) == words:
                found.append(Span(doc, token.i, end, label=label))
                covered.update(range(token.i, end))
                break
    return found


def _inside_longer_name(doc: Doc, start: int, end: int) -> bool:
    """"Asia" in "Central Asia": a capitalised neighbour means a different, longer name."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    if before is not None and before.is_title and not before.is_sent_start:
        return True
    return after is not None and after.is_title and after.pos_ == "PROPN"


def _known_names(ents: Sequence[Span], forms: dict[str, str]) -> dict[tuple[str, ...], str]:
    """Names worth finding again: every PERSON, one-word names, and short forms of persons."""
    labels: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for ent in ents:
        words = tuple(t.text for t in ent)
        if ent.label_ == "PERSON" or (
            ent.label_ in NAME_LABELS and len(words) == 1 and words[0][:1].isupper()
        ):
            labels[words].add(ent.label_)
    for form, label in forms.items():
        labels[(form,)] = {label}
    # A name still tagged two ways is ambiguous: better no suggestion than a wrong one.
    return {words: next(iter(found)) for words, found in labels.items() if len(found) == 1}


def make_labels_consistent(doc: Doc, add_missing: bool = True) -> Doc:
    """One label per name in the document; short forms of full names follow the full name.

    With `add_missing`, untagged occurrences of a name tagged elsewhere are suggested too.
    """
    ents = list(doc.ents)
    if not ents:
        return doc
    forms = short_forms(ent for ent in ents if ent.label_ == "PERSON")
    decided = _majority_labels(ents)
    relabelled: list[Span] = []
    for ent in ents:
        key = name_key(ent.text)
        if key in forms:
            label = forms[key]
        elif ent.label_ in NAME_LABELS:
            label = decided.get(key, ent.label_)
        else:
            label = ent.label_
        same = label == ent.label_
        relabelled.append(ent if same else Span(doc, ent.start, ent.end, label=label))
    doc.ents = relabelled
    if add_missing:
        missing = _unlabelled_mentions(doc, _known_names(relabelled, forms))
        doc.ents = filter_spans(relabelled + missing)
    return doc


# --- the components ---------------------------------------------------------------------


@Language.component("annotator_boilerplate")
def boilerplate_component(doc: Doc) -> Doc:
    """No entity suggestions in copyright lines, registration numbers or navigation links."""
    return drop_boilerplate_entities(doc)


@Language.component("annotator_datelines")
def datelines_component(doc: Doc) -> Doc:
    """The place of a news dateline ("ASTANA, May 20 --") is a GPE."""
    return apply_datelines(doc)


@Language.component("annotator_titles")
def titles_component(doc: Doc) -> Doc:
    """Names after titles ("President X", "Foreign Minister X") become PERSON."""
    return apply_title_patterns(doc)


# Factories of the three stateless components, for the `spacy_factories` entry points in
# pyproject.toml: plain `spacy.load` of a pipeline saved with them then needs no import.
def make_boilerplate_component(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return boilerplate_component


def make_datelines_component(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return datelines_component


def make_titles_component(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return titles_component


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
