"""The access log never carries a credential: values of query parameters that look like one
(``token``, ``access_code``, ``key``, ``password``, ``secret``, ``authorization``) are replaced
before uvicorn writes the line, whether or not the route accepted them. The JSON access line
(``bot.logs``) redacts its ``path`` field once more."""

from __future__ import annotations

import logging

from bot.logs import redact_query

__all__ = ["RedactCredentials", "install", "redact_query"]


class RedactCredentials(logging.Filter):
    """For ``uvicorn.access`` records: (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_query(args[2]), *args[3:])
        return True


def install() -> None:
    """Once per process (repeated app creation adds nothing)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactCredentials) for f in access.filters):
        access.addFilter(RedactCredentials())
