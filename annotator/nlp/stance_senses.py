"""Which cue matches state a position: sense checks, "stop X-ing", and directive cues.

- Sense checks: support or backing that is money or matter ("financial support", "air
  support"), a market level ("support at 1.20", "a pillar of support for the equity market")
  or a phrasal verb ("pesos backed up against the dollar") holds no view.
- Conditions and questions: a cue inside "if", "unless" or "whether", or in a sentence
  that asks, states no stance.
- "stop X-ing": "X stopped supporting Y" is against (is_negated counts "stop"); "urged Y to
  stop interfering in Z" is the urger's stance against the interfering, so the inner cue
  ("interfere in") is no stance of its own, and the directive ("urge") takes the stopped
  action as its target with the label flipped.
- Directive cues (`"target": "action"` in the lexicon: urge, demand, call on) take the
  action they ask for as their target, not the person asked.
- Feelings (`"target": "cause"`: anger, disappoint, pleased, worried) are held by whoever
  feels them, the object of an active verb ("the sales angered Beijing") or the subject
  otherwise ("Beijing was angered by", "is worried that"); what causes them is the target.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from annotator.nlp.layout_rules import DASHES, MONTHS, dateline_places
from annotator.nlp.stance_parse import children_with, is_reflexive

# Verbs that say "stop doing": their complement is what the stance is against.
STOPPING = frozenset({"stop", "cease", "quit", "end", "halt", "refrain", "abandon", "desist"})
# Verbs asking someone to act; with a stopping verb below them the asker holds the stance.
DIRECTIVES = frozenset(
    {"urge", "ask", "call", "press", "demand", "request", "encourage", "appeal", "tell", "want"}
)
SENSE_CHECKED = frozenset({"support", "back", "backing", "uphold"})
# Cues that, aimed at oneself, mean providing for or protecting oneself, not a view.
SELF_REGARDING = frozenset({"support", "back", "defend"})
# Support that is money, matter or force is no opinion.
MATERIAL = frozenset(
    {
        "financial", "economic", "monetary", "material", "technical", "logistical",
        "logistic", "physical", "military", "air", "naval", "price", "income", "life",
        "budget", "budgetary", "fiscal", "tax", "liquidity", "credit", "customer", "food",
        "humanitarian", "family", "child", "state", "government", "farm",
    }
)  # fmt: skip
# Targets that are market levels or things that bear loads: "support for the dollar".
MARKET_OR_LOAD = frozenset(
    {
        "price", "level", "rate", "market", "currency", "dollar", "yen", "euro", "peso",
        "sterling", "pound", "share", "stock", "bond", "index", "yield", "economy", "demand",
        "weight", "load", "roof", "structure", "bridge", "floor", "ceiling", "wall", "column",
        # "benefits to support their families": providing for someone
        "family", "child", "kid", "wife", "husband", "parent", "household", "dependant",
        "dependent",
    }
)  # fmt: skip
# Verbs of saying or learning after "want to": "I want to say", "they will want to know"
# announce what comes next, not a position ("want to talk with X" may be one).
DISCOURSE = frozenset(
    {
        "say", "know", "ask", "add", "stress", "emphasize", "emphasise", "note", "tell",
        "learn", "explain", "mention", "repeat", "remind", "clarify", "thank",
    }
)  # fmt: skip
# People dismissed from a post: "dismissed the minister" is firing, not a view.
POSTS = frozenset(
    {
        "officer", "official", "minister", "general", "commander", "employee", "worker",
        "staff", "manager", "coach", "chief", "director", "judge", "head", "aide", "adviser",
        "advisor", "governor", "secretary", "executive", "player", "member", "teacher",
        "soldier", "servant", "guard", "editor", "president", "chairman", "ambassador",
    }
)  # fmt: skip
NUMERIC_LABELS = frozenset({"MONEY", "PERCENT", "CARDINAL", "QUANTITY", "ORDINAL"})


def holds_a_view(anchor: Token, target: Span) -> bool:
    """False for a support/back cue used in a material, market or phrasal sense, for
    "dismiss" whose object is a person or a post ("dismissed two officers": fired them), for
    "want to say/know", for "each other" and for oneself ("to support themselves")."""
    cue = anchor.lemma_.lower()
    if cue == "dismiss":
        root = target.root
        return not (
            root.ent_type_ == "PERSON"
            or root.lower_ in ("him", "her", "them")
            or root.lemma_.lower() in POSTS
        )
    if target.text.lower() in ("each other", "one another"):
        return False  # "to support each other": mutual, no position on anything
    if is_reflexive(target.root) and cue in SELF_REGARDING:
        return False  # "earn enough to support themselves", "defended himself in court"
    if cue == "want":
        return target.root.lemma_.lower() not in DISCOURSE
    if cue not in SENSE_CHECKED:
        return True
    if anchor.dep_ == "compound":
        return False  # "support level", "support package"
    for child in anchor.children:
        if child.dep_ == "prt":
            return False  # "backed up", "backed off"
        if child.dep_ in ("amod", "compound", "nmod") and child.lemma_.lower() in MATERIAL:
            return False
    head = anchor.head
    if anchor.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN":
        return False  # "a pillar of support", "a level of support"
    root = target.root
    if root.like_num or root.ent_type_ in NUMERIC_LABELS:
        return False
    return root.lemma_.lower() not in MARKET_OR_LOAD


def stopped_by_directive(path: Sequence[Token]) -> bool:
    """Whether the cue sits under "stop" under a directive ("urged Y to stop X-ing")."""
    stops = [n for n, token in enumerate(path) if n and token.lemma_.lower() in STOPPING]
    return any(token.lemma_.lower() in DIRECTIVES for n in stops for token in path[n + 1 :]) or any(
        _directive_above(path[n]) for n in stops
    )


def _directive_above(token: Token) -> bool:
    current = token
    for _ in range(3):
        if current.head is current:
            return False
        current = current.head
        if current.lemma_.lower() in DIRECTIVES:
            return True
    return False


def action_heads(anchor: Token) -> tuple[list[Token], bool]:
    """(targets, flipped) of a directive cue: the action it asks for ("urged Y to withdraw",
    "called on Y to withdraw", "demanded that Y withdraw"); an action of stopping gives
    what is to stop, against ("urged Y to stop interfering in Z")."""
    heads = [c for c in anchor.children if c.dep_ in ("xcomp", "ccomp")]
    for prep in (c for c in anchor.children if c.dep_ == "prep"):
        heads += [c for c in prep.children if c.dep_ in ("xcomp", "ccomp", "pcomp")]
    if not heads:
        return [c for c in anchor.children if c.dep_ == "dobj"], False
    stopped: list[Token] = []
    for head in heads:
        if head.lemma_.lower() in STOPPING:
            for child in head.children:
                if child.dep_ in ("xcomp", "pcomp", "dobj", "ccomp"):
                    stopped.append(child)
                elif child.dep_ == "prep":
                    stopped += [c for c in child.children if c.dep_ in ("pcomp", "pobj")]
    if stopped:
        return stopped, True
    return heads, False


CONDITIONS = frozenset({"if", "unless", "whether"})


def hypothetical(path: Sequence[Token]) -> bool:
    """Whether the cue sits in a condition ("if we want to apply the law", "unless they
    back the plan") or a question ("Does Chile support the plan?"): a stance supposed or
    asked about, not stated."""
    if path and path[0].sent[-1].text == "?":
        return True
    return any(
        child.dep_ == "mark" and child.lower_ in CONDITIONS
        for token in path
        for child in token.children
    )


# Verbs and adjectives whose infinitive does not state a view of the subject's own: a claim
# or a semblance ("claims to support X"), a tendency or a need ("tend to back"), an
# expectation ("is expected to endorse"), or an order to someone else ("urged Peru to reject
# X", "forced them to condemn X": the view is asked of another). An attempt states one:
# "tried to prevent the unions from backing X" is against X.
NOT_ASSERTED = frozenset(
    {
        "claim", "pretend", "profess", "purport", "seem", "appear", "tend", "need",
        "suppose", "expect", "likely", "unlikely", "able", "urge", "ask", "encourage",
        "persuade", "press", "invite", "order", "tell", "force", "compel", "oblige",
        "constrain", "pressure",
    }
)  # fmt: skip


def not_asserted(path: Sequence[Token]) -> bool:
    """Whether the cue is the infinitive of a verb that does not assert it ("claims to
    support X", "urged Peru to reject X"); "continue to", "is willing to", "refused to"
    and "vowed to" do."""
    return any(
        below.dep_ == "xcomp" and above.lemma_.lower() in NOT_ASSERTED
        for below, above in zip(path, path[1:], strict=False)
    )


# Prepositions that introduce what a feeling is about: "angered by", "pleased with",
# "upset about", "alarmed at", "worried over", "disappointed in".
CAUSE_PREPOSITIONS = frozenset({"by", "with", "about", "at", "over", "in", "of", "for"})


def cause_roles(anchor: Token) -> tuple[Token | None, list[Token]]:
    """(experiencer, causes) of a feeling cue: an active verb with an object ("the sales
    angered Beijing") gives (Beijing, [sales]); otherwise the experiencer is the clause's
    subject (None here: found by climbing) and the causes are the objects of "by", "with",
    "about"... or a clause ("pleased that X", "glad to see X")."""
    objects = [c for c in anchor.children if c.dep_ in ("dobj", "obj")]
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in anchor.children)
    if anchor.pos_ == "VERB" and objects and not passive:
        causes = [c for c in anchor.children if c.dep_ in ("nsubj", "csubj")]
        return objects[0], causes
    # "the report is concerned with X" is about X, not worried by it
    prepositions = CAUSE_PREPOSITIONS
    if anchor.lemma_ == "concern":
        prepositions = prepositions - {"with"}
    causes = [
        pobj
        for prep in anchor.children
        if prep.dep_ in ("prep", "agent") and prep.lower_ in prepositions
        for pobj in prep.children
        if pobj.dep_ in ("pobj", "pcomp")
    ]
    causes += [c for c in anchor.children if c.dep_ in ("ccomp", "xcomp")]
    return None, causes


def dateline_tokens(doc: Doc) -> set[int]:
    """Tokens of each dateline: the place through the agency and dash ("BEIJING, April 11
    (AFP) -"), which can never hold a view."""
    found: set[int] = set()
    for place in dateline_places(doc):
        end = place.end
        while end < len(doc) and end - place.start < 14 and "\n" not in doc[end].text:
            end += 1
            if doc[end - 1].text in DASHES:
                break
        found.update(range(place.start, end))
    return found | _title_case_datelines(doc)


def _title_case_datelines(doc: Doc) -> set[int]:
    """Datelines in title case opening a sentence: a place, a comma, a month, then within a
    few words a dash or colon ("Tehran, Dec 9, IRNA --", "Nairobi, March 13 (Xinhua) -")."""
    found: set[int] = set()
    for sentence in doc.sents:
        start = end = sentence.start
        while end < sentence.end and end - start < 4 and doc[end].is_title and doc[end].is_alpha:
            end += 1
        if end == start or end + 1 >= len(doc) or doc[end].text != ",":
            continue
        if doc[end + 1].lower_ not in MONTHS:
            continue
        for stop in range(end + 2, min(end + 10, len(doc))):
            if "\n" in doc[stop].text:
                break
            if doc[stop].text in DASHES or doc[stop].text == ":":
                found.update(range(start, stop + 1))
                break
    return found


# Verbs by which a subject receives a stance of others: "won the backing of parliament",
# "has the support of the army", "lost the support of its allies".
RECEIVING = frozenset(
    {"receive", "get", "win", "gain", "enjoy", "lose", "earn", "secure", "obtain", "garner",
     "have", "retain", "keep", "face", "draw", "attract", "encounter", "incur"}
)  # fmt: skip


def received_from(anchor: Token) -> Token | None:
    """Who gives a stance noun that the clause's subject receives: "the party won the backing
    of parliament" -> parliament (the party is the target); None otherwise."""
    if anchor.pos_ != "NOUN" or anchor.dep_ != "dobj":
        return None
    if anchor.head.lemma_.lower() not in RECEIVING:
        return None
    givers = [
        pobj
        for prep in children_with(anchor, ("prep",))
        if prep.lower_ in ("of", "from")
        for pobj in children_with(prep, ("pobj",))
    ] or [  # "faced criticism at home and from the EU": "from" may hang from the verb
        pobj
        for prep in children_with(anchor.head, ("prep",))
        if prep.lower_ == "from"
        for pobj in children_with(prep, ("pobj",))
    ]
    return givers[0] if givers else None
