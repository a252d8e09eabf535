"""ArticleLayout without Textual: wrapping ahead in slices, nearest paragraphs first."""

from __future__ import annotations

from annotator.ui.widgets.article_layout import ArticleLayout


def _no_tags(start: int, end: int) -> dict[int, int]:
    return {}


def _layout() -> ArticleLayout:
    # 30 paragraphs of 50 words: 5 lines each at 60 columns.
    paragraph = " ".join(["word"] * 50)
    return ArticleLayout("\n".join([paragraph] * 30), 60, _no_tags)


def test_unwrapped_near_lists_the_nearest_first_below_then_above() -> None:
    layout = _layout()
    layout.ensure([10])
    assert layout.unwrapped_near(10, 10, 12) == [11, 12, 9, 8]
    assert layout.unwrapped_near(0, 10, 3) == [0]


def test_a_slice_of_no_time_wraps_one_paragraph_and_lines_match_a_full_wrap() -> None:
    layout = _layout()
    assert layout.wrap_for([5, 6, 7], 0.0) == 1
    assert layout.is_wrapped(5) and not layout.is_wrapped(6)
    assert layout.wrap_for(range(30), 10.0) == 29
    assert (layout.wrapped, layout.wrapped_ahead, layout.wrapped_on_demand) == (30, 30, 0)
    fresh = _layout()
    fresh.ensure(range(30))
    assert layout.first == fresh.first
    assert [layout.lines(p) for p in range(30)] == [fresh.lines(p) for p in range(30)]
