"""`python -m bot` is the same as the `equipage` command."""

from bot.cli import main

raise SystemExit(main())
