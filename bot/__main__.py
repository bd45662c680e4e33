"""``python -m bot`` runs the ``assist`` command."""

from bot.cli import main

main()
