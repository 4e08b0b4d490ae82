"""Callback data: compact, versioned, and forged values caught in one place."""

from __future__ import annotations

import pytest

from bot.actions import (
    AcceptAgreementButton,
    AckSummaryButton,
    AgreementButton,
    AnswerButton,
    AppointmentButton,
    CallAckButton,
    Callback,
    CallOfferButton,
    CheckinButton,
    ConsentButton,
    ForwardButton,
    HeldWordsButton,
    LanguageButton,
    MenuButton,
    RightsButton,
    SettingsButton,
    StepButton,
    SummaryButton,
    TakeProposalButton,
    WorkerButton,
)
from bot.telegram.callbacks import ForgedCallback, decode, encode


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


# Buttons already sent, as the bot wrote them before buttons were typed: each still reads,
# as the typed button that says what its number is.
@pytest.mark.parametrize(
    ("data", "button"),
    [
        ("v1|w|card|3", WorkerButton("card", 3)),
        ("v1|w|rdvcancel|3", WorkerButton("rdvcancel", 3)),
        ("v1|w|ack|5", AckSummaryButton(5)),
        ("v1|w|accept|6", AcceptAgreementButton(6)),
        ("v1|w|rdvtake|7", TakeProposalButton(7)),
        ("v1|x|call|0", CallOfferButton("call")),
        ("v1|x|no|0", CallOfferButton("no")),
        ("v1|x|keep|9", HeldWordsButton("keep", 9)),
        ("v1|x|drop|9", HeldWordsButton("drop", 9)),
        ("v1|x|called|4", CallAckButton("called", 4)),
        ("v1|x|handling|4", CallAckButton("handling", 4)),
        ("v1|k|much_better|2", CheckinButton("much_better", 2)),
        ("v1|p|nowhen|8", AppointmentButton("nowhen", 8)),
        ("v1|t|other|1", SettingsButton("other", 1)),
        ("v1|e|change|6|2|who", StepButton("change", 6, 2, "who")),
        ("v1|s|toggle|5|1|forces", SummaryButton("toggle", 5, 1, "forces")),
        ("v1|g|drop|6", AgreementButton("drop", 6)),
        ("v1|f|keep", ForwardButton("keep")),
        ("v1|r|keep", RightsButton("keep")),
        ("v1|c|more|4|0123456789abcdef", ConsentButton("more", 4, "0123456789abcdef")),
    ],
)
def test_buttons_already_sent_still_read(data: str, button: Callback) -> None:
    assert decode(data) == button
    assert encode(button) == data


@pytest.mark.parametrize(
    "data",
    [
        "v1|w|list|3",  # accepted once, never produced
        "v1|w|rdvtakes|7",
        "v1|x|call|5",  # the offer never carried a number
        "v1|x|maybe|4",
        "v1|k|sideways|2",
        "v1|p|perhaps|8",
        "v1|t|volume|1",
        "v1|e|add|6|2|who",
        "v1|g|delete|6",
    ],
)
def test_words_outside_a_buttons_list_are_forged(data: str) -> None:
    with pytest.raises(ForgedCallback):
        decode(data)
