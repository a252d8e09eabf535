"""The label scheme file: the default covers spaCy's labels; a malformed one is a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.scheme import DEFAULT_SCHEME, load_scheme
from annotator.errors import InputError

ONTONOTES = {
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
}


def test_default_scheme_covers_every_label_the_model_produces(nlp: object) -> None:
    scheme = load_scheme()
    assert set(scheme.entity_names) == ONTONOTES
    assert set(nlp.get_pipe("ner").labels) <= set(scheme.entity_names)  # type: ignore[attr-defined]
    assert [s.name for s in scheme.stance_labels] == ["FAVOR", "AGAINST", "NEUTRAL"]
    assert scheme.by_key("1") is not None and scheme.by_key("1").name == "PERSON"  # type: ignore[union-attr]


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "labels.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _default() -> dict[str, list[dict[str, object]]]:
    loaded: dict[str, list[dict[str, object]]] = json.loads(DEFAULT_SCHEME.read_text())
    return loaded


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: "{not json", "not valid JSON"),
        (lambda d: {**d, "entity_labels": []}, "entity_labels"),
        (lambda d: {k: v for k, v in d.items() if k != "stance_labels"}, "stance_labels"),
        (
            lambda d: {**d, "entity_labels": [{**d["entity_labels"][0], "color": "red"}]},
            "color",
        ),
        (
            lambda d: {**d, "entity_labels": [d["entity_labels"][0], d["entity_labels"][0]]},
            "appears twice",
        ),
        (
            lambda d: {
                **d,
                "entity_labels": [
                    d["entity_labels"][0],
                    {**d["entity_labels"][1], "key": d["entity_labels"][0]["key"]},
                ],
            },
            "two labels",
        ),
        (lambda d: {**d, "stance_labels": [{"name": "LIKE", "color": "#000000"}]}, "stance"),
        # "a" accepts: an entity label's key is one of the label keys 1-9.
        (
            lambda d: {**d, "entity_labels": [{**d["entity_labels"][0], "key": "a"}]},
            "entity_labels/0/key: 'a' does not match '^[1-9]$'",
        ),
        (
            lambda d: {
                **d,
                "stance_labels": [{"name": "FAVOR", "key": "n", "color": "#000000"}],
            },
            "stance label FAVOR has key 'n'; the stance keys are fixed (f FAVOR, d AGAINST, "
            "e NEUTRAL)",
        ),
    ],
)
def test_malformed_scheme_is_a_clear_error(mutate: object, message: str, tmp_path: Path) -> None:
    path = _write(tmp_path, mutate(_default()))  # type: ignore[operator]
    with pytest.raises(InputError) as raised:
        load_scheme(path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_missing_scheme_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the label scheme"):
        load_scheme(tmp_path / "none.json")


def test_cue_lexicon_in_another_encoding_is_a_clear_error(tmp_path: Path) -> None:
    from annotator.nlp.stance_lexicon import load_lexicon

    path = tmp_path / "cues.json"
    path.write_bytes('{"cues": ["caf\u00e9"]}'.encode("latin-1"))
    with pytest.raises(InputError, match=r"cues.json: invalid UTF-8 at byte 14"):
        load_lexicon(path)


def test_labels_outside_the_scheme_are_counted_and_worded() -> None:
    from annotator.core.model import Span, SpanStatus

    scheme = load_scheme()

    def span(label: str, status: SpanStatus = "suggested") -> Span:
        return Span(label + status, 0, 1, 0, 0, label, "a", "test", status)

    spans = [
        span("PER"),
        span("PER", "accepted"),
        span("MISC"),
        span("PERSON"),
        span("X", "rejected"),
    ]
    assert dict(scheme.outside(spans)) == {"PER": 2, "MISC": 1}
    assert scheme.outside_notice(spans) == (
        "labels not in the scheme: PER ×2, MISC ×1 (shown grey, no key); relabel them "
        "or add them to the --scheme file"
    )
    assert scheme.outside_notice([span("PERSON")]) is None
