"""Translations: gettext catalogues compiled at start-up, the current user's locale, dates.

French is the source language. Every user-facing text lives in `dialogs/` (the dialogues,
and `dialogs/ui/*.yaml` for the bot's own messages, looked up by key); `locales/<lang>/`
holds the translations as `.po` files, compiled in memory when the bot starts.
"""

from __future__ import annotations

import io
import re
from contextvars import ContextVar
from datetime import datetime
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.engine import load_ui_texts
from bot.paths import project_dir

if TYPE_CHECKING:
    from babel.support import Translations

SOURCE_LANGUAGE = "fr"
DOMAIN = "messages"

current_language: ContextVar[str] = ContextVar("current_language", default=SOURCE_LANGUAGE)


def compile_catalog(po_path: Path) -> Translations:
    """Compile one `.po` file into gettext translations, in memory."""
    # Imported here: a catalogue is compiled when its language is first spoken.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _format_datetime(moment: datetime, pattern: str, language: str) -> str:
    """Babel's date formatting. Babel is imported at the first date written, not at
    start-up: with its locale data, about 50 M instructions before the first getUpdates."""
    from babel.dates import format_datetime

    return str(format_datetime(moment, pattern, locale=language))


class Catalogs:
    """All languages the bot speaks, with the UI texts they translate."""

    def __init__(
        self,
        ui_texts: dict[str, str],
        translations: dict[str, NullTranslations],
        uncompiled: dict[str, Path] | None = None,
    ):
        self.ui_texts = ui_texts
        self._translations = translations
        # Languages whose `.po` file is compiled when first spoken, not at start-up.
        self._uncompiled = dict(uncompiled or {})

    @classmethod
    def load(cls, dialogs_dir: Path, locales_dir: Path) -> Catalogs:
        """Read the UI texts and find every `locales/<lang>/LC_MESSAGES/messages.po` (each is
        compiled when its language is first asked for)."""
        uncompiled: dict[str, Path] = {}
        if locales_dir.is_dir():
            for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
                uncompiled[po_path.parent.parent.name] = po_path
        return cls(ui_texts_of(dialogs_dir), {SOURCE_LANGUAGE: NullTranslations()}, uncompiled)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages with a catalogue, French first."""
        known = set(self._translations) | set(self._uncompiled)
        others = sorted(lang for lang in known if lang != SOURCE_LANGUAGE)
        return (SOURCE_LANGUAGE, *others)

    def best_language(self, language_code: str | None) -> str:
        """Map a Telegram `language_code` ("en-GB") to a language we have; French otherwise."""
        if language_code:
            base = language_code.replace("_", "-").split("-")[0].lower()
            if base in self._translations or base in self._uncompiled:
                return base
        return SOURCE_LANGUAGE

    def translator(self, language: str | None = None) -> Translator:
        """A translator for a language (default: the current user's)."""
        chosen = language or current_language.get()
        translations = self._translations.get(chosen)
        if translations is None:
            po_path = self._uncompiled.pop(chosen, None)
            if po_path is None:
                translations = self._translations[SOURCE_LANGUAGE]
            else:
                translations = self._translations[chosen] = compile_catalog(po_path)
        return Translator(self, translations, chosen)


class Translator:
    """Implements the engine's Translator protocol for one language."""

    def __init__(self, catalogs: Catalogs, translations: NullTranslations, language: str):
        self._catalogs = catalogs
        self._translations = translations
        self.language = language

    def gettext(self, msgid: str) -> str:
        """Translate a French source text."""
        return str(self._translations.gettext(msgid))

    def message(self, key: str, **params: object) -> str:
        """A UI text by key, translated, with `{params}` filled in."""
        try:
            source = self._catalogs.ui_texts[key]
        except KeyError:
            raise KeyError(f"no UI text '{key}' in dialogs/ui/") from None
        text = self.gettext(source)
        return text.format(**params) if params else text

    def date_time(self, moment: datetime, timezone: ZoneInfo) -> str:
        """'mardi 3 décembre à 14h30' in the user's language and the service's time zone."""
        local = moment.astimezone(timezone)
        pattern = self._first_of_month(self.message("format.datetime"), local)
        return _format_datetime(local, pattern, self.language)

    def _first_of_month(self, pattern: str, local: datetime) -> str:
        """On the 1st, the day as the language writes it ('1er' in French), quoted literally."""
        if local.day != 1:
            return pattern
        first = "'" + self.message("format.first_day").replace("'", "''") + "'"
        # Between quotes is literal text: only the pattern's own parts (even pieces) change.
        pieces = pattern.split("'")
        for index in range(0, len(pieces), 2):
            pieces[index] = re.sub(r"(?<![d])d(?![d])", first, pieces[index])
        return "'".join(pieces)

    def spoken(self, moment: datetime, timezone: ZoneInfo, *, about: bool = False) -> str:
        """'mardi 1er décembre à 14h30', or '… vers 9h' (`about`) for a time the bot assumed:
        how the bot repeats a moment it understood, always with the weekday."""
        local = moment.astimezone(timezone)

        def part(pattern: str) -> str:
            return _format_datetime(local, pattern, self.language)

        clock = part(self.message("format.hour" if local.minute == 0 else "format.time"))
        return self.message(
            "format.spoken_about" if about else "format.spoken",
            weekday=part("EEEE"),
            day=self.message("format.first_day") if local.day == 1 else str(local.day),
            month=part("MMMM"),
            time=clock,
        )

    def day(self, moment: datetime, timezone: ZoneInfo) -> str:
        """'jeudi 3 décembre' in the user's language and the service's time zone."""
        local = moment.astimezone(timezone)
        pattern = self._first_of_month(self.message("format.date"), local)
        return _format_datetime(local, pattern, self.language)


# The UI texts of the last few folders read, by folder and the files' sizes and times: the
# command line's French texts and the bot's catalogues share one reading at start-up, and a
# file changed since (tests write their own) is read again.
_UI_TEXTS: dict[tuple[Path, tuple[tuple[str, int, int], ...]], dict[str, str]] = {}
_UI_TEXTS_KEPT = 4


def ui_texts_of(dialogs_dir: Path) -> dict[str, str]:
    """`load_ui_texts(dialogs_dir)`, read once for as long as its files do not change."""
    files = sorted((dialogs_dir / "ui").glob("*.yaml"))
    stats = [(path.name, path.stat()) for path in files]
    key = (
        dialogs_dir.resolve(),
        tuple((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats),
    )
    texts = _UI_TEXTS.get(key)
    if texts is None:
        texts = load_ui_texts(dialogs_dir)
        if len(_UI_TEXTS) >= _UI_TEXTS_KEPT:
            del _UI_TEXTS[next(iter(_UI_TEXTS))]
        _UI_TEXTS[key] = texts
    return texts


@cache
def _default_catalogs() -> Catalogs:
    # French only: the source texts need no translation, so no catalogue is compiled here.
    return Catalogs(ui_texts_of(project_dir("dialogs")), {SOURCE_LANGUAGE: NullTranslations()})


def ui_text(key: str, **params: object) -> str:
    """A UI text in French, for messages printed before the bot is configured (CLI)."""
    return _default_catalogs().translator(SOURCE_LANGUAGE).message(key, **params)
