"""``python -m fake_server``: the ``gemini-fake`` command without its console script."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
