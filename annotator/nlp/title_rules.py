"""The titles rule: a name right after a title ("President X", "Foreign Minister X") is a
PERSON, and a nationality glued to the title ("Kazakh President") is not an ORG; initials
("J. Smith") join the name they start.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from annotator.nlp.layout_rules import MONTHS, WEEKDAYS, _word_set, is_shouted

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
# No title is part of a name, nobility included ("King Norodom Sihanouk" is PERSON
# "Norodom Sihanouk"): news annotation schemes (CoNLL, OntoNotes) leave titles out.
# A capitalised word like these after a "title" means an organisation ("Premier League Team").
ORGANISATION_WORDS: frozenset[str] = _word_set(
    """
    league team club party committee council cup association union university college
    group bank company corporation ministry office department court
    """
)
MAX_NAME_TOKENS = 5
# Words that end a company's full name ("Bre-X Minerals Ltd"): its first word alone is the
# company too.
CORPORATE_ENDINGS: frozenset[str] = _word_set(
    """
    inc inc. corp corp. corporation co co. ltd ltd. plc llc ag sa s.a. nv n.v. bv gmbh spa
    group holdings limited company bank airlines airways motors
    """
)


# --- titles -----------------------------------------------------------------------------


def is_name_token(token: Token) -> bool:
    return token.is_title or (token.is_upper and len(token) > 1 and token.is_alpha)


def name_after_title(doc: Doc, title: Token) -> Span | None:
    """The run of capitalised tokens right after a title token, hyphenated parts included."""
    index = title.i + 1
    end = index
    while end < len(doc) and end - index < MAX_NAME_TOKENS:
        token = doc[end]
        if (
            is_name_token(token)
            and token.pos_ in ("PROPN", "X")
            and token.lower_ not in TITLE_WORDS
            and token.lower_ not in WEEKDAYS
            and token.lower_ not in MONTHS
        ):
            if token.lower_ in ORGANISATION_WORDS:
                return None
            end += 1
        elif (
            token.text == "-"
            and not token.whitespace_
            and end > index
            and end + 1 < len(doc)
            and is_name_token(doc[end + 1])
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


def _entity_index(doc: Doc) -> dict[int, Span]:
    """Token index -> the entity covering it, built once per document (linear)."""
    return {i: ent for ent in doc.ents for i in range(ent.start, ent.end)}


def _modifier_label(labels: Counter[tuple[str, str]], modifier: Span) -> str | None:
    """NORP for a nationality before a title ("Kazakh President"), GPE for a country; None
    when nothing says the word names a people or a place ("Federal Reserve Chairman")."""
    norp, gpe = labels[(modifier.text, "NORP")], labels[(modifier.text, "GPE")]
    if norp and norp >= gpe:
        return "NORP"
    if gpe:
        return "GPE"
    last = modifier[-1]
    if len(modifier) == 1 and (last.tag_ == "JJ" or last.lower_.endswith(DEMONYM_ENDINGS)):
        return "NORP"
    return None


def title_start(doc: Doc, title: Token) -> int:
    """Index of the first word of the title phrase ending at `title` ("Deputy Prime Minister")."""
    start = title.i
    while start > 0 and doc[start - 1].lower_ in TITLE_MODIFIERS and doc[start - 1].is_title:
        start -= 1
    return start


def _inside_other_entity(index: dict[int, Span], title: Token) -> bool:
    """ "Premier League": the title word begins a longer non-person name the NER found."""
    ent = index.get(title.i)
    return ent is not None and title.i + 1 < ent.end and ent.label_ != "PERSON"


def shouted_tokens(doc: Doc) -> set[int]:
    """Indices of the tokens on all-capitals lines (headlines, tables)."""
    found: set[int] = set()
    start = 0
    for token in doc:
        if token.is_space and "\n" in token.text or token.i == len(doc) - 1:
            end = token.i + 1
            if is_shouted(doc[start:end].text):
                found.update(range(start, end))
            start = end
    return found


def title_names(doc: Doc) -> list[tuple[Token, Span]]:
    """(title, name) pairs: each title in running text with the name after it. Titles on
    all-capitals lines and "AM"/"PM" after a number are no titles."""
    index = _entity_index(doc)
    shouted = shouted_tokens(doc) if any(t.is_upper for t in doc) else set()
    found = []
    for token in doc:
        if not _is_title(token) or token.i in shouted:
            continue
        if token.is_upper and token.i > 0 and doc[token.i - 1].like_num:
            continue  # "3 PM": a time
        name = name_after_title(doc, token)
        if name is not None and not _inside_other_entity(index, token):
            found.append((token, name))
    return found


def title_person_spans(doc: Doc) -> tuple[list[Span], list[Span]]:
    """(PERSON names found after titles, relabelled modifiers glued to a title)."""
    people: list[Span] = []
    modifiers: list[Span] = []
    index = _entity_index(doc)
    labels = Counter((ent.text, ent.label_) for ent in doc.ents)
    for token, name in title_names(doc):
        start = name.start
        people.append(Span(doc, start, name.end, label="PERSON"))
        first = title_start(doc, token)
        ent = index.get(first - 1) if first > 0 else None
        if ent is None or ent.label_ == "PERSON":
            continue
        part = doc[ent.start : first]
        label = _modifier_label(labels, part)
        if ent.end > first:
            # "Federal Reserve Chairman" tagged as one name: the title is cut off.
            modifiers.append(Span(doc, part.start, part.end, label=label or ent.label_))
        elif ent.label_ == "ORG" and label is not None:
            # "Kazakh" tagged ORG right before the title is a nationality or a country.
            modifiers.append(Span(doc, part.start, part.end, label=label))
    return people, modifiers


INITIAL = re.compile(r"^[A-Z]\.$")


def initial_names(doc: Doc) -> list[Span]:
    """ "M. Waugh", "R. Ponting": an initial and a capitalised surname make a PERSON, unless
    the model read the initial as part of a name of another kind ("S. Korea", "J. Crew
    Group")."""
    index = _entity_index(doc)
    found: list[Span] = []
    for token in doc:
        if not INITIAL.match(token.text) or token.i + 1 >= len(doc):
            continue
        if token.i > 0 and doc[token.i - 1].is_title and not doc[token.i - 1].is_sent_start:
            continue  # "George W. Bush": the initial is inside a name already
        end = token.i + 1
        while end < len(doc) and end - token.i <= 2 and doc[end].is_title and doc[end].is_alpha:
            end += 1
        if end == token.i + 1 or doc[end - 1].lower_ in CORPORATE_ENDINGS:
            continue
        covering = {id(index[i]): index[i] for i in range(token.i, end) if i in index}
        if any(
            ent.label_ != "PERSON"
            and (
                ent.start < token.i
                or ent.end > end
                or (ent.label_ in ("GPE", "LOC", "NORP") and len(ent) > 1)
            )
            for ent in covering.values()
        ):
            continue
        found.append(Span(doc, token.i, end, label="PERSON"))
    return found


def apply_title_patterns(doc: Doc) -> Doc:
    """Make names after titles, and initialled names, PERSON, replacing whatever entity
    overlapped them."""
    pairs = title_names(doc)
    initialled = initial_names(doc)
    if not pairs and not initialled:
        return doc
    people, modifiers = title_person_spans(doc) if pairs else ([], [])
    fixed = people + modifiers + initialled
    taken = {i for span in fixed for i in range(span.start, span.end)}
    kept = [ent for ent in doc.ents if not any(i in taken for i in range(ent.start, ent.end))]
    # Entities that covered the title itself lose it: a title is not part of any name.
    titles = {i for t, _ in pairs for i in range(title_start(doc, t), t.i + 1)}
    kept = [ent for ent in kept if not any(i in titles for i in range(ent.start, ent.end))]
    doc.ents = filter_spans(fixed + kept)
    return doc


@Language.component("annotator_titles")
def titles_component(doc: Doc) -> Doc:
    """Names after titles ("President X", "Foreign Minister X") become PERSON."""
    return apply_title_patterns(doc)


# Factories of the three stateless components, for the `spacy_factories` entry points in
# pyproject.toml: plain `spacy.load` of a pipeline saved with them then needs no import.
def make_titles_component(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return titles_component
