"""Rule components that correct the statistical NER's suggestions before a person sees them.

Each is a spaCy component so it can be switched off and saved with a pipeline (the layout
rules, boilerplate, datelines and headlines, are in layout_rules; span edges in boundaries):

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

from annotator.nlp.layout_rules import MONTHS, WEEKDAYS, _word_set, is_shouted

# The layout rules (boilerplate, datelines, headlines) live in layout_rules; importing them
# here registers their components with everything else that imports this module.
from annotator.nlp.layout_rules import boilerplate_ranges as boilerplate_ranges
from annotator.nlp.layout_rules import dateline_places as dateline_places
from annotator.nlp.layout_rules import is_boilerplate_line as is_boilerplate_line

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


def _shouted_tokens(doc: Doc) -> set[int]:
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
    shouted = _shouted_tokens(doc) if any(t.is_upper for t in doc) else set()
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


# --- document-level consistency ---------------------------------------------------------


def name_key(text: str) -> str:
    """How two mentions are compared: case, a leading "the" and a possessive do not count."""
    key = re.sub(r"\s+", " ", text).strip()
    key = re.sub(r"^(the|The)\s+", "", key)
    key = re.sub(r"['’]s$", "", key)
    return key


# Words that end a company's full name ("Bre-X Minerals Ltd"): its first word alone is the
# company too.
CORPORATE_ENDINGS: frozenset[str] = _word_set(
    """
    inc inc. corp corp. corporation co co. ltd ltd. plc llc ag sa s.a. nv n.v. bv gmbh spa
    group holdings limited company bank airlines airways motors
    """
)


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
        parts = [t for t in span if t.is_alpha and _is_name_token(t)]
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
    shouted = _shouted_tokens(doc) if any(t.is_upper for t in doc) else set()
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


# --- the components ---------------------------------------------------------------------


@Language.component("annotator_titles")
def titles_component(doc: Doc) -> Doc:
    """Names after titles ("President X", "Foreign Minister X") become PERSON."""
    return apply_title_patterns(doc)


# Factories of the three stateless components, for the `spacy_factories` entry points in
# pyproject.toml: plain `spacy.load` of a pipeline saved with them then needs no import.
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
