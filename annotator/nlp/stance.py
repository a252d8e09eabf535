"""The stance suggester: who is FAVOR/AGAINST/NEUTRAL towards what, read off the dependency parse.

No stance model ships with this project, and sentiment lexicons call diplomatic prose neutral,
so the suggester finds stance cues from a user-extendable lexicon (schemas/stance_cues.json)
and reads the roles from the parse:

- holder: the cue's subject, found through auxiliaries, control verbs ("will continue to
  support"), "be willing to", participles and coordinated verbs; a noun cue's possessor;
- speaker: the subject of a reporting verb (say, note, add...) governing the cue's clause,
  or the object of "according to";
- target: the cue's object (or prepositional object) with its subtree; coordinated objects
  ("supporting A, B and C") give one stance each;
- negation ("does not support") flips FAVOR and AGAINST and sets `negated`;
- evidence: the clause that carries the stance, not the whole sentence or paragraph.

Pronoun holders and speakers ("Wang said he supports") resolve to the nearest earlier entity
of a fitting type in their sentence when that is unambiguous; "I" and "we" in reported speech
("We welcome X," Zhang said) are the speaker, who speaks for them; with no speaker in the
sentence (the writer's own voice, or a quote attributed in another sentence) they name no one
and the stance is not suggested, unless the lexicon's `writer_voice` asks for the writer's
own (op-eds, letters). The suggestions land in `doc._.stances` as plain dicts in the export
stance shape, so they survive `nlp.pipe(n_process=...)` and `Doc.to_bytes`.

This module puts the roles together and is the spaCy component; `stance_parse` reads the
roles off the parse, `stance_speakers` finds who reports them, `stance_senses` holds the
sense checks and the directive, feeling and received cues, `stance_negation` decides
negation, `stance_lexicon` the cue lexicon.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import ensure_path

from annotator.nlp.pronouns import SUBJECTS, entity_of
from annotator.nlp.stance_lexicon import CueLexicon, cue_matcher, load_lexicon
from annotator.nlp.stance_negation import is_negated
from annotator.nlp.stance_parse import (
    OBJECTS,
    CueHit,
    children_with,
    climb_to_subject,
    conjuncts,
    evidence_span,
    find_cues,
    is_relative,
    passive_roles,
    pronoun_fits,
    relative_antecedent,
    target_heads,
    target_phrases,
    trimmed,
)
from annotator.nlp.stance_senses import (
    action_heads,
    cause_roles,
    dateline_tokens,
    holds_a_view,
    hypothetical,
    not_asserted,
    received_from,
    stopped_by_directive,
)
from annotator.nlp.stance_speakers import (
    can_hold_view,
    find_speaker,
    mention_span,
    named_by_copula,
    named_in_apposition,
    ref,
    role_span,
)

CUES_FILE = "cues.json"  # the lexicon's name inside a saved pipeline's component folder
# Cues whose object is someone when they state a view: threatening or blaming a thing is
# endangering it or naming a cause.
AIMED_AT_SOMEONE = frozenset({"threaten", "blame"})
FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})
WRITER_SUBJECTS = frozenset({"i", "we"})  # who holds a view in the writer's own voice
FLIPPED = {"FAVOR": "AGAINST", "AGAINST": "FAVOR", "NEUTRAL": "NEUTRAL"}

if not Doc.has_extension("stances"):
    Doc.set_extension("stances", default=None)


# --- stance finding ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    record: dict[str, Any]
    cue_index: int
    target: Span
    holder_is_named: bool


def _stances_of_cue(
    hit: CueHit, lexicon: CueLexicon, dateline: frozenset[int] | set[int] = frozenset()
) -> Iterator[_Found]:
    """The stances of one cue: one per holder and target; none without both."""
    anchor = hit.anchor
    agent, patient = passive_roles(anchor)
    flipped = False
    subject: Token | None
    if hit.cue.target == "cause":
        subject, clause_head, path = climb_to_subject(anchor)
        experiencer, heads = cause_roles(anchor)
        subject = experiencer if experiencer is not None else subject
    elif (giver := received_from(anchor)) is not None:
        # "the party won the backing of parliament": parliament for the party
        receiver, clause_head, path = climb_to_subject(anchor.head)
        subject, heads, path = giver, [receiver] if receiver is not None else [], [anchor, *path]
    # "are opposed to X" parses as a passive, but the subject holds the view.
    elif patient is not None and hit.span[-1].pos_ != "ADP":
        subject = agent
        clause_head, path = anchor, [anchor]
        heads = [patient]
    else:
        subject, clause_head, path = climb_to_subject(anchor)
        if hit.cue.target == "action":
            heads, flipped = action_heads(anchor)
            # "called on the agencies" without an action: the object is who is asked, not
            # what is asked for ("urged restraint", "demanded his release" keep theirs).
            heads = [h for h in heads if h.dep_ != "dobj" or not can_hold_view(h, lexicon)]
        else:
            heads = target_heads(hit)
        if subject is not None and subject.text[:1] in ("'", "’"):
            subject = None  # "let's welcome her": the clitic "us" names nobody
    if subject is not None and subject.i in dateline:
        # "KIGALI, March 3 (AFP) - Rwanda condemned": the parser may take the dateline's
        # place for a second subject; the other one holds the view.
        # Or it hangs the real subject from the place ("Tehran, Dec 9, IRNA -- Analyst Ali
        # Khan rejected": Khan an apposition of Tehran).
        others = [
            c for c in subject.head.children if c.dep_ in SUBJECTS and c.i not in dateline
        ] or [c for c in subject.children if c.dep_ == "appos" and c.i not in dateline]
        subject = others[0] if others else None
    if (
        not heads
        or subject is None
        or stopped_by_directive(path)
        or hypothetical(path)
        or not_asserted(path)
    ):
        return
    if is_relative(subject) and subject.tag_ in ("WDT", "WP"):
        return  # "which" or "who" the parse could not tie to a noun names nobody
    negated = is_negated(path)
    if negated and hit.cue.target == "cause" and hit.cue.label == "AGAINST":
        return  # "not worried about X" is no stance for X
    label = FLIPPED[hit.cue.label] if negated != flipped else hit.cue.label
    speaker_token = find_speaker(clause_head, lexicon)
    speaker = role_span(speaker_token) if speaker_token is not None else None
    evidence = evidence_span(hit, clause_head, path)
    if evidence.start in dateline:
        after = max(i for i in dateline if evidence.start <= i < evidence.end) + 1
        evidence = trimmed(anchor.doc[min(after, anchor.i) : evidence.end])
    for holder_token in conjuncts(subject):
        holder_token = named_by_copula(named_in_apposition(holder_token, lexicon), lexicon)
        if (
            speaker_token is not None
            and holder_token.pos_ == "PRON"
            and holder_token.dep_ in SUBJECTS
            and holder_token.i != speaker_token.i
            and pronoun_fits(holder_token, speaker_token)
        ):
            holder_token = speaker_token  # "the board said it rejected X": the board
        elif (
            speaker_token is not None
            and holder_token.lower_ in FIRST_PERSON
            and holder_token.i != speaker_token.i
        ):
            holder_token = speaker_token  # "We welcome X," Zhang said: Zhang speaks for "we"
        if (
            speaker_token is None
            and holder_token.lower_ in WRITER_SUBJECTS
            and not lexicon.writer_voice
        ):
            # No one in the sentence says it: the writer's own voice (a letter, a transcript)
            # or a quote whose speaker another sentence names; the holder would name no one.
            continue
        if not can_hold_view(holder_token, lexicon) or holder_token.i in dateline:
            continue  # "the old bridge supports heavy trucks"; "BEIJING, April 11 (AFP)"
        holder = role_span(holder_token)
        named = entity_of(holder_token) is not None or holder_token.pos_ in ("PROPN", "PRON")
        for target in target_phrases(hit, heads):
            if target.start <= anchor.i < target.end:
                # "a leader favoured by the army": the target is the noun, not the cue
                if anchor.left_edge.i <= target.start:
                    continue
                target = trimmed(anchor.doc[target.start : anchor.left_edge.i])
            if len(target) == 1 and is_relative(target.root):
                # "an election that the opposition denounced": the election
                antecedent = relative_antecedent(target.root)
                if antecedent is None:
                    continue
                target = antecedent
            if (
                anchor.lemma_.lower() in AIMED_AT_SOMEONE
                and target.root.pos_ == "NOUN"
                and not can_hold_view(target.root, lexicon)
            ):
                continue  # "the floods threatened the harvest", "blamed the delays on the rain"
            if not holds_a_view(anchor, target):
                continue  # "financial support for the bank", "support at 1.20"
            # The evidence must show every role that lies in the clause's sentence.
            start = min(evidence.start, target.start)
            end = max(evidence.end, target.end)
            if holder_token.sent == anchor.sent:
                written = mention_span(holder_token)
                start = min(start, written.start)
                end = max(end, written.end)
            clause = trimmed(anchor.doc[start:end])
            yield _Found(
                record={
                    "label": label,
                    "evidence": ref(clause),
                    "cue": ref(hit.span),
                    "holder": ref(holder),
                    "speaker": ref(speaker) if speaker is not None else None,
                    "target": ref(target),
                    "negated": negated,
                },
                cue_index=anchor.i,
                target=target,
                holder_is_named=named,
            )


def clause_roles(evidence: Span, lexicon: CueLexicon) -> dict[str, Any]:
    """Cue, holder, speaker and target of a stance clause that a model found without a cue
    of the lexicon: the clause's main word is the cue, its subject (climbing as for a cue)
    the holder, its object or prepositional object the target. Empty without a parse."""
    doc = evidence.doc
    if not doc.has_annotation("DEP") or len(evidence) == 0:
        return {}
    inside = range(evidence.start, evidence.end)
    root = evidence.root
    if root.pos_ == "AUX":  # "are furious about X": the adjective carries the stance
        complements = [c for c in children_with(root, ("acomp", "attr")) if c.i in inside]
        root = complements[0] if complements else root
    if root.pos_ not in ("VERB", "ADJ", "NOUN"):
        return {}
    heads = [
        c for c in children_with(root, OBJECTS) if c.i in inside and c.pos_ not in ("AUX", "PART")
    ] or [
        pobj
        for prep in children_with(root, ("prep",))
        for pobj in children_with(prep, ("pobj", "pcomp"))
        if pobj.i in inside
    ]
    subject, clause_head, path = climb_to_subject(root)
    roles: dict[str, Any] = {"cue": ref(doc[root.i : root.i + 1]), "negated": is_negated(path)}
    if subject is not None and can_hold_view(subject, lexicon):
        roles["holder"] = ref(role_span(subject))
    speaker = find_speaker(clause_head, lexicon)
    if speaker is not None:
        roles["speaker"] = ref(role_span(speaker))
    if heads:
        head = heads[0]
        # The whole object, coordination included: the model found one stance, not one
        # per coordinated target.
        start = max(head.left_edge.i, evidence.start)
        end = min(head.right_edge.i + 1, evidence.end)
        roles["target"] = ref(trimmed(doc[start:end]))
    return roles


def suggest_stances(
    doc: Doc, matcher: PhraseMatcher, lexicon: CueLexicon
) -> list[dict[str, Any]]:
    """Every stance the cues and the parse support, in text order."""
    if not doc.has_annotation("DEP") or not doc.has_annotation("LEMMA"):
        return []
    dateline = dateline_tokens(doc)
    found = [
        f
        for hit in find_cues(doc, matcher, lexicon)
        for f in _stances_of_cue(hit, lexicon, dateline)
    ]
    # A cue inside another stance's target describes the target ("oppose forces interfering
    # in X"); it is a stance of its own only when someone named holds it.
    kept = [
        f
        for f in found
        if f.holder_is_named
        or not any(
            other is not f and other.target.start <= f.cue_index < other.target.end
            for other in found
        )
    ]
    return [f.record for f in kept]


# --- the component ----------------------------------------------------------------------


@Language.factory("annotator_stances", default_config={"cues_path": None})
def make_stance_suggester(nlp: Language, name: str, cues_path: str | None) -> StanceSuggester:
    """The stance suggester; `cues_path` replaces the default lexicon (schemas/stance_cues.json)."""
    return StanceSuggester(nlp, name, Path(cues_path) if cues_path else None)


class StanceSuggester:
    """Fills `doc._.stances`; its lexicon is saved with the pipeline (`cues.json`).

    The lexicon file is read on first use, not on construction: a pipeline loaded from disk
    uses the copy saved in it, so it keeps working when the original file is gone.
    """

    def __init__(self, nlp: Language, name: str, cues_path: Path | None = None) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.cues_path = cues_path
        self._lexicon: CueLexicon | None = None
        self._matcher: PhraseMatcher | None = None

    @property
    def lexicon(self) -> CueLexicon:
        if self._lexicon is None:
            self.set_lexicon(load_lexicon(self.cues_path))
        assert self._lexicon is not None
        return self._lexicon

    def set_lexicon(self, lexicon: CueLexicon) -> None:
        """Use another lexicon from now on (for instance one the user extended)."""
        self._lexicon = lexicon
        self._matcher = cue_matcher(self.vocab, lexicon)

    def __call__(self, doc: Doc) -> Doc:
        lexicon = self.lexicon
        assert self._matcher is not None
        doc._.stances = suggest_stances(doc, self._matcher, lexicon)
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.lexicon.to_json(), indent=2, ensure_ascii=False)
        (folder / CUES_FILE).write_text(text + "\n", encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> StanceSuggester:
        self.set_lexicon(load_lexicon(ensure_path(path) / CUES_FILE))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self.lexicon.to_json()).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> StanceSuggester:
        self.set_lexicon(CueLexicon.from_json(json.loads(data.decode("utf-8"))))
        return self
