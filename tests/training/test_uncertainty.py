"""Uncertainty first: a trained model's suggestions carry the ner's confidence, documents are
ranked by the expected number of wrong suggestions, and a share comes at random."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.core.commands import Accept
from annotator.core.model import DocumentState, Span
from annotator.core.scheme import load_scheme
from annotator.core.session import AnnotationSession
from annotator.core.store import open_store
from annotator.core.uncertainty import document_uncertainty, span_confidence, uncertainty_order
from annotator.loop.ordering import order_by_uncertainty, uncertain_first
from annotator.loop.suggesting import ModelSuggester
from annotator.nlp.confidence import COMPONENT
from annotator.nlp.pipeline import load_pipeline, suggestions_from_doc
from annotator.ui.review_state import ReviewState
from annotator.ui.widgets.side_panel import SidePanel
from annotator.workflow import import_corpus
from tests.training.conftest import TrainedGadgets
from tests.training.gadget_corpus import gadget_records, write_jsonl


def _span(number: int, confidence: float | None) -> Span:
    extra = {} if confidence is None else {"confidence": confidence}
    start = 10 * number
    return Span(
        f"e{number}", start, start + 3, number, number, "ORG", "abc", "m", "suggested", extra
    )


def test_a_documents_uncertainty_is_its_expected_number_of_wrong_suggestions() -> None:
    state = DocumentState(spans=(_span(0, 0.9), _span(1, 0.5), _span(2, None)))
    assert document_uncertainty(state) == 0.1 + 0.5
    assert document_uncertainty(DocumentState(spans=(_span(0, None),))) is None
    assert span_confidence(_span(0, 0.25)) == 0.25


def test_most_uncertain_first_and_a_share_at_random() -> None:
    hashes = list(range(12))
    uncertainty: dict[int, float | None] = {h: h / 10 for h in hashes}
    uncertainty[5] = None  # no confidences: counts as certain
    assert uncertainty_order(hashes, uncertainty, random_share=0.0) == [
        11, 10, 9, 8, 7, 6, 4, 3, 2, 1, 0, 5
    ]  # fmt: skip
    mixed = uncertainty_order(hashes, uncertainty, random_share=0.25, seed=3)
    assert sorted(mixed) == hashes, "every document once"
    ranked = [h for n, h in enumerate(mixed) if (n + 1) % 4]  # every 4th is the random pick
    assert ranked == sorted(ranked, key=lambda h: -(uncertainty[h] or 0.0))
    assert mixed == uncertainty_order(hashes, uncertainty, random_share=0.25, seed=3)


def test_a_trained_pipeline_suggests_with_the_ners_confidence(
    trained_gadgets: TrainedGadgets, nlp: Any
) -> None:
    trained = load_pipeline(str(trained_gadgets.result.model_path))
    names = trained.pipe_names
    assert names[names.index("ner") + 1] == COMPONENT, "right after the ner, before the rules"
    assert COMPONENT not in nlp.pipe_names, "the packaged pipeline pays nothing for it"
    _, state = suggestions_from_doc(trained("Yesterday Jonas praises the Plumbix."), "m")
    gadgets = [s for s in state.spans if s.label == "GADGET"]
    assert gadgets, [(s.text, s.label) for s in state.spans]
    for span in gadgets:
        confidence = span_confidence(span)
        assert confidence is not None and 0.0 <= confidence <= 1.0


def test_untouched_documents_are_ordered_by_the_models_uncertainty(
    trained_gadgets: TrainedGadgets, tmp_path: Path
) -> None:
    corpus = write_jsonl(
        [{"text": r["text"]} for r in gadget_records(40, seed=7)[-8:]], tmp_path / "new.jsonl"
    )
    store = open_store(tmp_path / "store.sqlite")
    try:
        hashes = import_corpus(store, [corpus]).hashes
        model = str(trained_gadgets.result.model_path)
        suggest = ModelSuggester(tmp_path / "store.sqlite", model=model)
        session = AnnotationSession(store, "alice", hashes)
        session.go_to(3)
        session.suggest_current(suggest)
        session.apply(Accept(session.state.spans[0].id))  # touched, not finished

        order = uncertain_first(store, "alice", hashes, suggest)
        assert order[0] == hashes[3], "what the annotator touched comes first"
        assert sorted(order) == sorted(hashes)
        rest = [h for h in hashes if h != hashes[3]]
        ranked = order_by_uncertainty(store, rest, suggest, random_share=0.0)
        figures = [document_uncertainty(store.initial_state(h)) or 0.0 for h in ranked]
        assert figures == sorted(figures, reverse=True)
        assert all(store.has_suggestions(h) for h in hashes), "suggested once, cached"
        session.close()
    finally:
        store.close()


def test_b_focuses_the_next_suggestion_the_model_is_unsure_of() -> None:
    view = ReviewState()
    spans = [_span(0, 0.95), _span(1, 0.4), _span(2, None), _span(3, 0.7)]
    view.load(spans, [], None)
    assert view.next_unsure(None) == "e1"
    assert view.next_unsure("e1") == "e3"
    assert view.next_unsure("e3") == "e1", "wraps round"
    decided = [_span(1, 0.4).with_changes(status="accepted"), _span(0, 0.95)]
    view.load(decided, [], None)
    assert view.next_unsure(None) is None, "only suggestions still to review"


def test_the_side_panel_shows_a_suggestions_confidence() -> None:
    panel = SidePanel(load_scheme(None))
    panel.show(_span(1, 0.42))
    assert "model confidence 0.42" in panel.details
    panel.show(_span(1, None))
    assert "confidence" not in panel.details
