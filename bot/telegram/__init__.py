"""The Telegram transport: the only package that knows python-telegram-bot."""

import os

# Opt in now to PTB's future durations (timedelta instead of int); this silences its
# deprecation warnings, and our code already accepts both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")
