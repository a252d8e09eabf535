"""Entity rules that read the page's layout rather than its sentences.

- boilerplate: no entity suggestions in page furniture (a copyright notice, registration
  numbers, a line of navigation links such as "About us | Contact us");
- datelines: the place opening a wire story ("LONDON 1996-12-06", "ASTANA, May 20 --",
  "WASHINGTON (Reuters) -", "PARIS, France (AP) --") is a GPE;
- headlines: a line in capitals ("BANK RAISES RATES AS LONDON MARKETS FALL") is read again
  in ordinary case, because the model tags nearly every word of a shouted line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans


def _word_set(text: str, separator: str | None = None) -> frozenset[str]:
    """A set from a readable block of words (or `separator`-separated phrases)."""
    return frozenset(part.strip() for part in text.split(separator) if part.strip())


# --- boilerplate ------------------------------------------------------------------------

# Furniture is short: a story sentence about copyright law is not a copyright notice.
MAX_FURNITURE_WORDS = 30
BOILERPLATE_LINE = re.compile(
    r"^\W*copyright\b|copyright\s*(?:©|\(c\)|\d{4})|©|\(c\)\s*\d{4}|all rights reserved"
    r"|registration number|identification code|icp (?:license|licence)"
    r"|shall not be (?:republished|reproduced)"
    r"|without (?:prior )?written (?:authori[sz]ation|permission)",
    re.IGNORECASE,
)
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


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def boilerplate_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of the lines of `text` that are page furniture, not article text."""
    return [(start, start + len(line)) for start, line in _lines(text) if is_boilerplate_line(line)]


def is_boilerplate_line(line: str) -> bool:
    """A short copyright/registration line, or a line made only of navigation links."""
    stripped = line.strip()
    if not stripped:
        return False
    if len(stripped.split()) <= MAX_FURNITURE_WORDS and BOILERPLATE_LINE.search(stripped):
        return True
    parts = [p.strip().lower() for p in NAVIGATION_SEPARATORS.split(stripped) if p.strip()]
    return bool(parts) and all(p in NAVIGATION_PHRASES for p in parts)


def drop_boilerplate_entities(doc: Doc) -> Doc:
    """Remove every entity that lies in a boilerplate line."""
    ranges = boilerplate_ranges(doc.text)
    if not ranges:
        return doc
    starts = [start for start, _ in ranges]

    def in_boilerplate(ent: Span) -> bool:
        # The NER sometimes swallows the line break after a link ("Contact us\n\n").
        end_char = ent.start_char + len(ent.text.rstrip())
        index = bisect_right(starts, ent.start_char) - 1
        return index >= 0 and end_char <= ranges[index][1]

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
WEEKDAYS: frozenset[str] = _word_set(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs"
    " fri sat sun"
)
NOT_PLACES: frozenset[str] = (
    _word_set("update updated breaking exclusive watch video photos live correction advisory")
    | MONTHS
    | WEEKDAYS
)
DASHES = frozenset({"-", "--", "—", "–"})
LONG_DASHES = frozenset({"--", "—", "–"})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
# Lower-case or short words inside capitalised place names ("RIO DE JANEIRO", "ST. LOUIS").
PLACE_PARTICLES = frozenset({"DE", "DA", "DO", "DU", "LA", "LE", "EL", "AL", "OF"})
MAX_PLACE_TOKENS = 4


def _line_start(doc: Doc, token: Token) -> bool:
    return token.i == 0 or "\n" in doc[token.i - 1].text or doc[token.i - 1].text.endswith("\n")


def _is_place_word(token: Token) -> bool:
    text = token.text
    if text in PLACE_PARTICLES:
        return True
    if text.endswith(".") and len(text) <= 4 and text[:-1].isalpha() and text[:-1].isupper():
        return True  # "ST." of "ST. LOUIS"
    letters = text.replace("-", "").replace("'", "")
    return letters.isalpha() and text.isupper() and len(text) > 1


def dateline_places(doc: Doc) -> list[Span]:
    """The upper-case place opening a line when what follows makes it a dateline: an ISO
    date ending the line ("LONDON 1996-12-06"), a comma and a month ("ASTANA, May 20"), an
    agency and a dash ("WASHINGTON (Reuters) -"), a region and one of those ("PARIS, France
    (AP)"), or a long dash ("BEIRUT -- ")."""
    places = []
    text = doc.text  # spaCy rebuilds doc.text on every access
    for token in doc:
        if not (_line_start(doc, token) or token.is_sent_start) or not _is_place_word(token):
            continue
        end = token.i
        while end < len(doc) and end - token.i < MAX_PLACE_TOKENS and _is_place_word(doc[end]):
            end += 1
        if end >= len(doc) - 1 or doc[end - 1].text in PLACE_PARTICLES:
            continue
        if any(t.lower_ in NOT_PLACES for t in doc[token.i : end]):
            continue
        if _dated(doc, text, end):
            places.append(Span(doc, token.i, end, label="GPE"))
    return places


def _dated(doc: Doc, text: str, index: int) -> bool:
    """Whether what starts at `index` completes a dateline."""
    after = doc[index]
    line_end = text.find("\n", after.idx)
    rest_of_line = text[after.idx : line_end if line_end >= 0 else len(text)]
    if ISO_DATE.match(rest_of_line.strip()):
        return True
    if after.text in LONG_DASHES:
        return True
    if after.text == "(":
        return _agency_then_dash(doc, index + 1)
    if after.text != ",":
        return False
    following = doc[index + 1]
    if following.lower_ in MONTHS:
        return True
    # "PARIS, France (AP) -", "ASTANA, Kazakhstan, May 20": a region, then the rest.
    region_end = index + 1
    while region_end < len(doc) and doc[region_end].is_title and region_end - index <= 3:
        region_end += 1
    if region_end == index + 1 or region_end >= len(doc) - 1:
        return False
    nxt = doc[region_end]
    if nxt.text == "(":
        return _agency_then_dash(doc, region_end + 1)
    return nxt.text == "," and doc[region_end + 1].lower_ in MONTHS or nxt.text in LONG_DASHES


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


# --- headlines --------------------------------------------------------------------------

MIN_HEADLINE_WORDS = 3
CAPITALS_SHARE = 0.8


def _words(line: str) -> list[str]:
    return [w for w in line.split() if sum(c.isalpha() for c in w) >= 2]


def is_shouted(line: str) -> bool:
    """A line in capitals: at least three words, nearly all of them upper case."""
    words = _words(line)
    if len(words) < MIN_HEADLINE_WORDS:
        return False
    return sum(w.isupper() for w in words) >= CAPITALS_SHARE * len(words)


def body_case(text: str, shouted: list[tuple[int, str]]) -> dict[str, str]:
    """How the running text writes each word (lower-cased word -> its usual form), taken from
    the words that do not start a sentence, outside the shouted lines."""
    shouted_starts = {start for start, _ in shouted}
    forms: dict[str, Counter[str]] = {}
    for start, line in _lines(text):
        if start in shouted_starts:
            continue
        previous = "."
        for word in re.findall(r"[\w'’.-]+|[^\w\s]", line):
            if previous not in (".", "!", "?", '"', ":") and any(c.isalpha() for c in word):
                forms.setdefault(word.lower(), Counter())[word] += 1
            previous = word
    return {lower: counter.most_common(1)[0][0] for lower, counter in forms.items()}


def recase(line: str, usual: dict[str, str]) -> str:
    """The line in ordinary case, keeping every character's position: the running text's
    form of a word, else lower case (a name the story never writes out stays untagged, which
    beats the model's guesses on a shouted line)."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        form = usual.get(word.lower())
        if form is not None and len(form) == len(word):
            return form
        return word.lower()

    recased = re.sub(r"[A-Za-z][\w'’.-]*", fix, line)
    first = next((n for n, c in enumerate(recased) if c.isalpha()), None)
    if first is None:
        return recased
    return recased[:first] + recased[first].upper() + recased[first + 1 :]  # sentence case


class HeadlineReader:
    """The headlines component: shouted lines are read again by the model in ordinary case
    and their entities replaced by what it finds there."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def _model(self) -> list[Callable[[Doc], Doc]]:
        """The pipeline's own components up to its NER (not this tool's rules)."""
        steps: list[Callable[[Doc], Doc]] = []
        for name, component in self.nlp.pipeline:
            if name.startswith("annotator_"):
                continue
            steps.append(component)
            if name == "ner":
                return steps
        return []

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        if not any(c.isupper() for c in text):
            return doc
        shouted = [(start, line) for start, line in _lines(text) if is_shouted(line)]
        steps = self._model()
        if not shouted or not steps:
            return doc
        usual = body_case(text, shouted)
        found: list[Span] = []
        cleared: list[tuple[int, int]] = []
        for start, line in shouted:
            line_doc = self.nlp.make_doc(recase(line, usual))
            for step in steps:
                line_doc = step(line_doc)
            cleared.append((start, start + len(line)))
            for ent in line_doc.ents:
                span = doc.char_span(
                    start + ent.start_char,
                    start + ent.end_char,
                    ent.label_,
                    alignment_mode="contract",
                )
                if span is not None and len(span):
                    found.append(span)
        starts = [a for a, _ in cleared]

        def on_shouted_line(ent: Span) -> bool:
            # The line starting at or before the entity, and the one its end falls in.
            for char in (ent.start_char, ent.end_char - 1):
                line = bisect_right(starts, char) - 1
                if line >= 0 and char < cleared[line][1]:
                    return True
            return False

        kept = [ent for ent in doc.ents if not on_shouted_line(ent)]
        doc.ents = filter_spans(found + kept)
        return doc


# --- the components ---------------------------------------------------------------------


@Language.component("annotator_boilerplate")
def boilerplate_component(doc: Doc) -> Doc:
    """No entity suggestions in copyright lines, registration numbers or navigation links."""
    return drop_boilerplate_entities(doc)


@Language.component("annotator_datelines")
def datelines_component(doc: Doc) -> Doc:
    """The place of a news dateline ("LONDON 1996-12-06", "ASTANA, May 20 --") is a GPE."""
    return apply_datelines(doc)


@Language.factory("annotator_headlines")
def make_headlines_component(nlp: Language, name: str) -> HeadlineReader:
    """Shouted (all-capitals) lines are read again in ordinary case."""
    return HeadlineReader(nlp)


# Factories of the stateless components, for the `spacy_factories` entry points in
# pyproject.toml: plain `spacy.load` of a pipeline saved with them then needs no import.
def make_boilerplate_component(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return boilerplate_component


def make_datelines_component(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return datelines_component
