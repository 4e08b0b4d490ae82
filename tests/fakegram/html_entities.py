"""Telegram's HTML parse mode: markup in, plain text plus MessageEntity dicts out.

Mirrors tdlib's parser (td/telegram/MessageEntity.cpp) closely enough that markup the
real server rejects is rejected here too, with the same wording. One deliberate
difference: Telegram prints an unknown named entity such as ``&nbsp;`` literally,
which always means the bot forgot to escape or used an entity Telegram lacks, so we
reject it instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_DEC_DIGITS = frozenset("0123456789")


class EntityParseError(ValueError):
    """The markup is invalid; the message is the detail after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: tuple[Entity, ...] = ()


def utf16_len(text: str) -> int:
    """Telegram counts entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> ParsedText:
    return _Parser(source).parse()


@dataclass
class _OpenTag:
    name: str
    argument: str
    char_start: int
    utf16_start: int


@dataclass
class _Parser:
    source: str
    pos: int = 0
    chars: list[str] = field(default_factory=list)
    utf16: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def parse(self) -> ParsedText:
        while not self._at_end():
            char = self.source[self.pos]
            if char == "&":
                decoded = self._character_reference()
                if decoded is not None:
                    self._emit(decoded)
                    continue
            if char != "<":
                self._emit(char)
                self.pos += 1
            elif self._peek(1) == "/":
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        for entity in self.entities:
            # A language only survives on <pre><code class="language-…">, moved to the pre.
            if entity["type"] == "code":
                entity.pop("language", None)
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.chars), tuple(ordered))

    # -- scanning helpers ---------------------------------------------------------------

    def _at_end(self) -> bool:
        return self.pos >= len(self.source)

    def _peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.source[index] if index < len(self.source) else ""

    def _byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def _skip_spaces(self) -> None:
        while not self._at_end() and self.source[self.pos].isspace():
            self.pos += 1

    def _emit(self, text: str) -> None:
        self.chars.append(text)
        self.utf16 += utf16_len(text)

    # -- character references -----------------------------------------------------------

    def _character_reference(self) -> str | None:
        """Decode the reference at `pos` and move past it, or return None for a literal '&'."""
        start = self.pos
        end = start + 1
        source = self.source
        if end < len(source) and source[end] == "#":
            end += 1
            digits = _DEC_DIGITS
            base = 10
            if end < len(source) and source[end] in "xX":
                end += 1
                digits, base = _HEX_DIGITS, 16
            digits_start = end
            while end < len(source) and source[end] in digits:
                end += 1
            if end == digits_start:
                return None
            code = int(source[digits_start:end], base)
            if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                return None
            decoded = chr(code)
        else:
            while end < len(source) and source[end].isascii() and source[end].isalpha():
                end += 1
            name = source[start + 1 : end]
            if not name:
                return None
            if name not in _NAMED_ENTITIES:
                if end < len(source) and source[end] == ";":
                    raise EntityParseError(
                        f'Unsupported HTML entity "&{name};" at byte offset '
                        f"{self._byte_offset(start)}"
                    )
                return None
            decoded = _NAMED_ENTITIES[name]
        # Like Telegram, the closing semicolon is optional.
        if end < len(source) and source[end] == ";":
            end += 1
        self.pos = end
        return decoded

    # -- tags -----------------------------------------------------------------------------

    def _unclosed_start(self, begin: int) -> EntityParseError:
        return EntityParseError(f"Unclosed start tag at byte offset {self._byte_offset(begin)}")

    def _start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        while not self._at_end() and not self._peek().isspace() and self._peek() != ">":
            self.pos += 1
        if self._at_end():
            raise self._unclosed_start(begin)
        name = self.source[begin + 1 : self.pos].lower()
        if name not in _ENTITY_TYPES:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset(begin)}'
            )
        argument = self._attributes(name, begin)
        self.pos += 1  # the closing '>'
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(name, argument, len(self.chars), self.utf16))

    def _attributes(self, tag: str, begin: int) -> str:
        """Read attributes up to the closing '>' and return the one the tag cares about."""
        argument = ""
        while True:
            self._skip_spaces()
            if self._at_end():
                raise self._unclosed_start(begin)
            if self._peek() == ">":
                return argument
            name_start = self.pos
            while not self._at_end() and not self._peek().isspace() and self._peek() not in "=>":
                self.pos += 1
            attribute = self.source[name_start : self.pos].lower()
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self._byte_offset(begin)}"
                )
            self._skip_spaces()
            if self._at_end():
                raise self._unclosed_start(begin)
            if self._peek() != "=":
                if tag == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                continue
            self.pos += 1
            self._skip_spaces()
            if self._at_end():
                raise self._unclosed_start(begin)
            value = self._attribute_value(begin)
            if tag == "a" and attribute == "href":
                argument = value
            elif tag == "code" and attribute == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif tag == "span" and attribute == "class" and value == "tg-spoiler":
                argument = "spoiler"

    def _attribute_value(self, begin: int) -> str:
        quote = self._peek()
        if quote not in ("'", '"'):
            # An unquoted value is an HTML name token: letters, digits, '.', '-'.
            token_start = self.pos
            while not self._at_end() and (self._peek().isalnum() or self._peek() in ".-"):
                self.pos += 1
            if not self._at_end() and not self._peek().isspace() and self._peek() != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self._byte_offset(token_start)}"
                )
            return self.source[token_start : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while not self._at_end() and self._peek() != quote:
            if self._peek() == "&":
                decoded = self._character_reference()
                if decoded is not None:
                    value.append(decoded)
                    continue
            value.append(self._peek())
            self.pos += 1
        if self._at_end():
            raise self._unclosed_start(begin)
        self.pos += 1
        return "".join(value)

    def _end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self._byte_offset(begin)}")
        self.pos += 2
        name_start = self.pos
        while not self._at_end() and not self._peek().isspace() and self._peek() != ">":
            self.pos += 1
        name = self.source[name_start : self.pos].lower()
        self._skip_spaces()
        if self._peek() != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self._byte_offset(begin)}")
        self.pos += 1
        opened = self.stack.pop()
        if name and name != opened.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self._byte_offset(begin)}, "
                f'expected "</{opened.name}>", found "</{name}>"'
            )
        self._close(opened)

    def _close(self, opened: _OpenTag) -> None:
        length = self.utf16 - opened.utf16_start
        if length <= 0:
            return  # Telegram drops empty entities silently.
        entity: Entity = {
            "type": _ENTITY_TYPES[opened.name],
            "offset": opened.utf16_start,
            "length": length,
        }
        if opened.name == "a":
            url = _link_url(opened.argument or "".join(self.chars[opened.char_start :]))
            if url is None:
                return
            entity["url"] = url
        elif opened.name == "code" and opened.argument:
            entity["language"] = opened.argument
        elif opened.name == "pre":
            inner = self.entities[-1] if self.entities else None
            if (
                inner is not None
                and inner["type"] == "code"
                and "language" in inner
                and (inner["offset"], inner["length"]) == (entity["offset"], length)
            ):
                self.entities.pop()
                entity["language"] = inner["language"]
        elif opened.name == "blockquote" and opened.argument == "expandable":
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def _link_url(candidate: str) -> str | None:
    """Telegram keeps a link only if its target looks like a URL, adding http:// if needed."""
    candidate = candidate.strip()
    if not candidate or any(char.isspace() for char in candidate):
        return None
    if _URL_SCHEME.match(candidate):
        return candidate
    if "." in candidate:
        return f"http://{candidate}"
    return None
