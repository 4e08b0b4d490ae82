"""Callback data: compact, versioned, and forged values caught in one place."""

from __future__ import annotations

import pytest

from bot.telegram.callbacks import (
    AnswerButton,
    ForgedCallback,
    LanguageButton,
    MenuButton,
    decode,
    encode,
)


@pytest.mark.parametrize(
    "callback",
    [
        AnswerButton(123456789012, 999999999, "_skip"),
        AnswerButton(1, 0, "i0"),
        MenuButton("open", "probleme"),
        MenuButton("redo", "forces"),
        LanguageButton("en"),
    ],
)
def test_round_trip_fits_in_64_bytes(callback: AnswerButton | MenuButton | LanguageButton) -> None:
    data = encode(callback)
    assert len(data.encode()) <= 64
    assert decode(data) == callback


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "v0|a|1|2|x",
        "v1|a|1|2",
        "v1|a|one|2|x",
        "v1|a|1|2|<script>",
        "v1|a|1|2|" + "x" * 40,
        "v1|m|delete|probleme",
        "v1|m|open|../etc",
        "v1|l|english",
        "v1|z|1",
        "v1|a|-1|2|x",
    ],
)
def test_forged_data_is_rejected(data: str | None) -> None:
    with pytest.raises(ForgedCallback):
        decode(data)
