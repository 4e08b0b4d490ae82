"""A fake Telegram Bot API server for end-to-end tests of the real PTB Application."""

from .models import ApiRequest, BotMessage, Click
from .params import UploadedFile
from .server import FakeTelegram
from .users import FakeUser

__all__ = ["ApiRequest", "BotMessage", "Click", "FakeTelegram", "FakeUser", "UploadedFile"]
