"""Whether a stance is negated: "not", "never", "hardly" on the cue or a verb above it,
a negating governor ("refused to support", "prevented X from backing"), with coordinated
verbs that carry their own auxiliary keeping their own polarity."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Token

NEGATION_WORDS = frozenset({"not", "n't", "never", "hardly", "barely", "scarcely"})
# Verbs that negate the cue they govern ("refused to support" is against).
NEGATING_GOVERNORS = frozenset(
    {
        "refuse", "decline", "fail", "stop", "cease", "quit", "refrain", "halt", "abandon",
        "deny", "unable", "unwilling", "refusal", "failure",
        # "prevent countries from upholding X": against the upholding
        "prevent", "bar", "ban", "block", "prohibit", "forbid", "deter", "discourage",
        "dissuade", "restrain", "preclude",
    }
)  # fmt: skip
# Verbs whose negation affirms what they govern ("don't forget to support" is for).
AFFIRMED_WHEN_NEGATED = frozenset({"forget", "hesitate", "neglect"})


def is_negated(path: Sequence[Token]) -> bool:
    """Whether the stance is negated: an odd number of negations on the cue and the verbs it
    depends on ("will not continue to support", "refused to support"); a negated "forget"
    or "hesitate" ("don't forget to support") affirms instead. A coordinated verb with its
    own auxiliary does not share the first one's negation ("does not agree and has resisted
    X"; but "did not condemn or criticise X" negates both); "less happy with" is negated."""
    flips = 0
    for n, token in enumerate(path):
        if n and _own_conjunct(path[n - 1], token):
            continue
        lemma = token.lemma_.lower()
        negated_here = any(
            child.dep_ == "neg"
            or child.lower_ in NEGATION_WORDS
            or (token.pos_ == "ADJ" and child.dep_ == "advmod" and child.lower_ == "less")
            for child in token.children
        )
        if negated_here and lemma not in AFFIRMED_WHEN_NEGATED:
            flips += 1
        # "refused to back X" negates; "failed to act and lamented X" does not: a verb
        # coordinated with the governor is not under it.
        if lemma in NEGATING_GOVERNORS and n and path[n - 1].dep_ != "conj":
            flips += 1
    return flips % 2 == 1


def _own_conjunct(conjunct: Token, head: Token) -> bool:
    """Whether `conjunct`, coordinated with `head`, carries its own auxiliary or subject."""
    return (
        conjunct.dep_ == "conj"
        and conjunct.head.i == head.i
        and any(c.dep_ in ("aux", "auxpass", "nsubj") for c in conjunct.children)
    )
