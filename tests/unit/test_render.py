"""Splitting long texts for Telegram's 4,096-character limit, and joining short ones."""

from __future__ import annotations

from bot.telegram.render import fewest_messages, split_text


def test_short_text_is_one_message() -> None:
    assert split_text("Bonjour") == ["Bonjour"]


def test_long_text_splits_at_line_breaks_within_the_limit() -> None:
    text = "\n".join(f"Ligne {n} " + "é" * 90 for n in range(200))
    parts = split_text(text)
    assert all(0 < len(part) <= 4096 for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_text_without_spaces_is_cut_hard() -> None:
    parts = split_text("x" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_lengths_are_counted_as_telegram_does_emoji_count_twice() -> None:
    from bot.usecases.message_length import telegram_length

    assert telegram_length("é") == 1 and telegram_length("😢") == 2
    parts = split_text("😢" * 3000)
    assert all(telegram_length(part) <= 4096 for part in parts)
    assert "".join(parts) == "😢" * 3000


def test_short_texts_share_a_message_within_the_style_limit() -> None:
    """The last words of a dialogue and the menu: one message while it stays within 60 words;
    a text that would pass the limit starts the next message, and none is cut."""
    ten, thirty, fifty_five = ("mot " * 10).strip(), ("mot " * 30).strip(), ("mot " * 55).strip()
    assert fewest_messages([ten, thirty, "Que voulez-vous faire ?"]) == [
        f"{ten}\n\n{thirty}\n\nQue voulez-vous faire ?"
    ]
    assert fewest_messages([fifty_five, ten, "Menu ?"]) == [fifty_five, f"{ten}\n\nMenu ?"]
    assert fewest_messages(["Menu ?"]) == ["Menu ?"]
