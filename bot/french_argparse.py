"""argparse in French: its own words (usage, options, errors) come from the catalogue.

argparse looks its strings up with gettext at call time (`argparse._` and `argparse.ngettext`);
we answer those look-ups from `dialogs/ui/cli.yaml`. Old English option names stay accepted for
one release but are hidden from help and error messages."""

from __future__ import annotations

import argparse
from typing import NoReturn

from bot.i18n import ui_text

# argparse's own message (Python 3.11 to 3.13) -> key of its French text in cli.yaml. The
# French keeps argparse's %-placeholders, so argparse fills them in as usual.
ARGPARSE_TEXTS = {
    "usage: ": "cli.argparse_usage",
    "options": "cli.argparse_options",
    "positional arguments": "cli.argparse_positionals",
    "show this help message and exit": "cli.argparse_help",
    "%(prog)s: error: %(message)s\n": "cli.argparse_error",
    "the following arguments are required: %s": "cli.argparse_required",
    "unrecognized arguments: %s": "cli.argparse_unrecognized",
    "invalid %(type)s value: %(value)r": "cli.argparse_invalid_value",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse_invalid_choice",
    "argument %(argument_name)s: %(message)s": "cli.argparse_argument",
    "expected one argument": "cli.argparse_expected_one",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse_ambiguous",
    "not allowed with argument %s": "cli.argparse_not_allowed",
    "ignored explicit argument %r": "cli.argparse_ignored",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "cli.argparse_unknown_command",
    "one of the arguments %s is required": "cli.argparse_one_required",
    "expected at most one argument": "cli.argparse_expected_at_most_one",
    "expected at least one argument": "cli.argparse_expected_at_least_one",
}

# Old option names, accepted until the next release, never shown.
LEGACY_OPTIONS = frozenset({"--name", "--person", "--to-worker", "--dry-run"})


def _french(message: str) -> str:
    key = ARGPARSE_TEXTS.get(message)
    return ui_text(key) if key is not None else message


def _french_plural(singular: str, plural: str, count: int) -> str:
    return _french(singular if count == 1 else plural)


def use_french() -> None:
    """Make argparse speak French (argparse reads these two names when it needs a text)."""
    argparse._ = _french  # type: ignore[attr-defined]
    argparse.ngettext = _french_plural  # type: ignore[attr-defined]


class FrenchHelpFormatter(argparse.HelpFormatter):
    """Help that lists each option under its French name only, with French typography."""

    def start_section(self, heading: str | None) -> None:
        """argparse writes "heading:"; French puts a space before the colon."""
        super().start_section(f"{heading} " if heading else heading)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        shown = [name for name in action.option_strings if name not in LEGACY_OPTIONS]
        if shown == action.option_strings:
            return super()._format_action_invocation(action)
        original = action.option_strings
        action.option_strings = shown
        try:
            return super()._format_action_invocation(action)
        finally:
            action.option_strings = original


class FrenchArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and errors are French."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        use_french()
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        """Print usage and the error in French, without the hidden old option names."""
        for legacy in LEGACY_OPTIONS:
            message = message.replace(f"/{legacy}", "")
        super().error(message)
