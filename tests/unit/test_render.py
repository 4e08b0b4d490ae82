"""Splitting long texts for Telegram's 4,096-character limit."""

from __future__ import annotations

from bot.telegram.render import split_text


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
