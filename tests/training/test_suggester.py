"""The clause suggester proposes clause-length spans, with or without a parser."""

from __future__ import annotations

from typing import Any

import spacy
from spacy.util import registry

from annotator.nlp.registrations import CLAUSE_SUGGESTER, clause_spans, clause_suggester


def _texts(doc: Any) -> list[str]:
    return [doc[start:end].text for start, end in clause_spans(doc)]


def test_blank_pipeline_gets_clauses_from_punctuation_and_openers() -> None:
    nlp = spacy.blank("en")
    doc = nlp("Kazakhstan firmly adheres to the one-China principle, Tokayev said.")
    assert "Kazakhstan firmly adheres to the one-China principle" in _texts(doc)
    assert "Tokayev said" in _texts(doc)
    assert "China principle" not in _texts(doc), "a word's hyphen does not end a clause"
    doc = nlp("Critics reject the plan because it costs too much.")
    assert {"Critics reject the plan", "because it costs too much"} <= set(_texts(doc))


def test_parsed_doc_also_gets_clause_subtrees(nlp: Any) -> None:
    doc = nlp("Tokayev said Kazakhstan supports the principle.")
    blank_texts = _texts(spacy.blank("en")(doc.text))
    assert "Kazakhstan supports the principle" in _texts(doc)
    assert "Kazakhstan supports the principle" not in blank_texts, "only the parse finds it"


def test_clauses_longer_than_the_limit_are_not_proposed() -> None:
    doc = spacy.blank("en")("one two three four five, six.")
    assert clause_spans(doc, max_length=3) == [(6, 7)], "only 'six' is short enough"
    assert (0, 5) in clause_spans(doc, max_length=5)


def test_suggester_returns_one_ragged_row_per_doc() -> None:
    nlp = spacy.blank("en")
    docs = [nlp("Maria loves the Zorbix, Tom said."), nlp(""), nlp("Yes.")]
    ragged = clause_suggester(docs)
    assert ragged.lengths.tolist() == [len(clause_spans(doc)) for doc in docs]
    assert ragged.dataXd.shape == (sum(ragged.lengths.tolist()), 2)
    empty = clause_suggester([nlp("")])
    assert empty.lengths.tolist() == [0]


def test_suggester_is_registered_under_its_config_name() -> None:
    make = registry.misc.get(CLAUSE_SUGGESTER)
    suggest = make(max_length=5)
    doc = spacy.blank("en")("Maria loves the Zorbix, Tom said.")
    assert suggest([doc]).lengths.tolist() == [len(clause_spans(doc, 5))]
