"""What the status line says about a lagging disk, decided without Textual."""

from __future__ import annotations

from annotator.ui.disk_notice import DISK_BEHIND, DISK_CAUGHT_UP, DISK_PATIENCE, disk_notice


def test_a_disk_that_keeps_up_is_never_mentioned() -> None:
    assert disk_notice(0.0, "saved: accept Obama PERSON") is None
    assert disk_notice(DISK_PATIENCE / 2, "saved: accept Obama PERSON") is None


def test_a_lagging_disk_is_said_once_and_its_catching_up_once() -> None:
    assert disk_notice(DISK_PATIENCE, "saved: accept Obama PERSON") == DISK_BEHIND
    assert disk_notice(DISK_PATIENCE * 4, DISK_BEHIND) is None  # already said
    assert disk_notice(0.0, DISK_BEHIND) == DISK_CAUGHT_UP
    assert disk_notice(0.0, DISK_CAUGHT_UP) is None


def test_a_message_said_since_is_left_alone_when_the_disk_catches_up() -> None:
    assert disk_notice(0.0, "nothing to undo") is None
