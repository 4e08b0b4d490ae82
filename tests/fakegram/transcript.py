"""A chat rendered as text, for assertion messages and human-readable notes."""

from __future__ import annotations

from .models import BotMessage, Chat, Click, UserEvent

_BOT = "bot"


def render(chat: Chat) -> str:
    name = chat.profile.first_name
    width = max(len(name), len(_BOT))
    lines: list[str] = []
    for entry in chat.log:
        if isinstance(entry, BotMessage):
            speaker, body = _BOT, _bot_message(entry)
        elif isinstance(entry, Click):
            speaker, body = name, _click(entry)
        else:
            speaker, body = name, _user_event(entry)
        prefix = f"{speaker.ljust(width)} │ "
        indent = " " * width + " │ "
        first, *rest = body.splitlines() or [""]
        lines.append(prefix + first)
        lines.extend(indent + line for line in rest)
    return "\n".join(lines) if lines else "(nothing was said)"


def _bot_message(message: BotMessage) -> str:
    parts: list[str] = []
    if message.kind != "text":
        parts.append(f"[{message.kind}{f' {message.filename}' if message.filename else ''}]")
    if message.text:
        parts.append(message.text)
    body = " ".join(parts) if message.kind != "text" else message.text
    for row in message.buttons:
        body += "\n" + " ".join(f"[{label}]" for label, _ in row)
    notes = []
    if message.edits:
        notes.append(f"edited ×{message.edits}")
    if message.deleted:
        notes.append("deleted")
    if notes:
        body = f"({', '.join(notes)}) {body}"
    return body


def _click(click: Click) -> str:
    if click.label:
        pressed = f"[clicked “{click.label}”]"
    else:
        pressed = f"[sent callback data {click.data!r}]"
    if not click.answered:
        return f"{pressed} (not answered)"
    if click.answer_text is None:
        return f"{pressed} → answered"
    kind = "alert" if click.show_alert else "toast"
    return f"{pressed} → {kind}: {click.answer_text}"


def _user_event(event: UserEvent) -> str:
    notes = [note for note, on in (("edited", event.edited), ("deleted", event.deleted)) if on]
    return f"({', '.join(notes)}) {event.description}" if notes else event.description
