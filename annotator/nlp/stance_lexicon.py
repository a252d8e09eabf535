"""The stance cue lexicon: a data file of cue phrases the user can extend, and its PhraseMatcher.

The default lexicon is schemas/stance_cues.json. Each cue is a phrase of lemmas ("support",
"adhere to", "glad to see") with the stance it expresses and, optionally, the part of speech
its first word must have; `reporting_verbs` and `reporting_phrases` introduce speakers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from annotator.core.jsonfile import read_json_file
from annotator.errors import InputError

DEFAULT_CUES_PATH = Path(__file__).resolve().parents[2] / "schemas" / "stance_cues.json"
STANCE_LABELS = ("FAVOR", "AGAINST", "NEUTRAL")
CUE_TARGETS = ("object", "action", "cause")


@dataclass(frozen=True)
class Cue:
    """One lexicon entry: a phrase of lemmas and the stance it expresses."""

    phrase: str
    label: str
    pos: tuple[str, ...] = ()
    # "object": what the cue acts on ("condemned X"); "action": the action it asks for
    # ("urged Y to withdraw", "demanded that Y withdraw"); "cause": the cue names a feeling,
    # whoever feels it holds the stance and its cause is the target ("X angered Beijing",
    # "Beijing was angered by X", "pleased that X").
    target: str = "object"

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.phrase.lower().split())


@dataclass(frozen=True)
class CueLexicon:
    """Stance cues plus the reporting verbs and phrases that introduce a speaker."""

    cues: tuple[Cue, ...]
    reporting_verbs: frozenset[str]
    reporting_phrases: tuple[str, ...]
    # Common nouns that can hold a view; None (both lists left out of the file): any noun.
    holder_nouns: frozenset[str] | None = None
    holder_noun_endings: tuple[str, ...] = ()
    # Suggest stances whose holder is an "I"/"we" that nobody in the sentence says: the
    # writer's own voice. Off by default because in news such a pronoun is mostly a quote
    # attributed in another sentence and names no one; op-eds and letters want it on.
    writer_voice: bool = False

    def can_hold_view(self, lemma: str) -> bool:
        """Whether a common noun with this lemma can be a stance's holder."""
        if self.holder_nouns is None:
            return True
        lemma = lemma.lower()
        return lemma in self.holder_nouns or lemma.endswith(self.holder_noun_endings)

    def to_json(self) -> dict[str, Any]:
        return {
            "cues": [
                {
                    "phrase": c.phrase,
                    "label": c.label,
                    **({"pos": list(c.pos)} if c.pos else {}),
                    **({"target": c.target} if c.target != "object" else {}),
                }
                for c in self.cues
            ],
            "reporting_verbs": sorted(self.reporting_verbs),
            "reporting_phrases": list(self.reporting_phrases),
            **(
                {
                    "holder_nouns": sorted(self.holder_nouns),
                    "holder_noun_endings": list(self.holder_noun_endings),
                }
                if self.holder_nouns is not None
                else {}
            ),
            **({"writer_voice": True} if self.writer_voice else {}),
        }

    @staticmethod
    def from_json(data: Any, where: Path | str = "stance cues") -> CueLexicon:
        """Build from the JSON of schemas/stance_cues.json; bad entries raise InputError."""
        if not isinstance(data, dict) or not isinstance(data.get("cues"), list):
            raise InputError(where, 'a cue lexicon is an object with a "cues" list')
        cues = []
        for number, raw in enumerate(data["cues"]):
            if not isinstance(raw, dict):
                raise InputError(where, f"cue {number} must be an object")
            phrase, label = raw.get("phrase"), raw.get("label")
            if not isinstance(phrase, str) or not phrase.split():
                raise InputError(where, f'cue {number} needs a "phrase" of one or more words')
            if label not in STANCE_LABELS:
                raise InputError(
                    where, f"cue {number} ({phrase!r}) label must be one of FAVOR, AGAINST, NEUTRAL"
                )
            pos = raw.get("pos", [])
            if not isinstance(pos, list) or not all(isinstance(p, str) for p in pos):
                raise InputError(where, f'cue {number} ({phrase!r}) "pos" must be a list of tags')
            target = raw.get("target", "object")
            if target not in CUE_TARGETS:
                raise InputError(
                    where, f'cue {number} ({phrase!r}) "target" must be object, action or cause'
                )
            phrase = " ".join(phrase.split())
            cues.append(Cue(phrase=phrase, label=label, pos=tuple(pos), target=target))
        verbs = data.get("reporting_verbs", [])
        phrases = data.get("reporting_phrases", [])
        if not isinstance(verbs, list) or not isinstance(phrases, list):
            raise InputError(where, '"reporting_verbs" and "reporting_phrases" must be lists')
        nouns, endings = data.get("holder_nouns"), data.get("holder_noun_endings", [])
        for key, value in (("holder_nouns", nouns), ("holder_noun_endings", endings)):
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                raise InputError(where, f'"{key}" must be a list of words')
        writer_voice = data.get("writer_voice", False)
        if not isinstance(writer_voice, bool):
            raise InputError(where, '"writer_voice" must be true or false')
        return CueLexicon(
            cues=tuple(cues),
            reporting_verbs=frozenset(str(v).lower() for v in verbs),
            reporting_phrases=tuple(" ".join(str(p).lower().split()) for p in phrases),
            holder_nouns=None if nouns is None else frozenset(n.lower() for n in nouns),
            holder_noun_endings=tuple(e.lower() for e in endings),
            writer_voice=writer_voice,
        )


def load_lexicon(path: Path | None = None) -> CueLexicon:
    """Read a cue lexicon file (default: schemas/stance_cues.json)."""
    path = path or DEFAULT_CUES_PATH
    data = read_json_file(path, "stance cue lexicon")
    return CueLexicon.from_json(data, path)


def cue_matcher(vocab: Any, lexicon: CueLexicon) -> PhraseMatcher:
    """A PhraseMatcher on lemmas with one pattern per cue ("adheres", "supporting" and
    "supported" all hit; the lemma of a function word such as "to" is the word itself).
    Hash lookups keep the cost linear in the text whatever the lexicon's size; the part of
    speech a cue asks of its first word is checked on the matches (`find_cues`)."""
    matcher = PhraseMatcher(vocab, attr="LEMMA")
    for number, cue in enumerate(lexicon.cues):
        words = list(cue.words)
        patterns = []
        for first in dict.fromkeys((words[0], words[0].capitalize())):
            lemmas = [first, *words[1:]]
            patterns.append(Doc(vocab, words=lemmas, lemmas=lemmas))
        matcher.add(f"cue{number}", patterns)
    return matcher
