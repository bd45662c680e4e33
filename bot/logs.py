"""Structured logs: every record of the process, ours (``logging.getLogger(__name__)``) and the
libraries' (uvicorn's access log included), rendered by structlog as one JSON object per line, or
as a readable console line, with the request's context (``request_id``, and for a chat turn
``session_id`` and ``turn_id``) on each line of that request.

``configure_logging`` installs one handler on the root logger, once per process (a second call
changes nothing); ``logging_config`` is the same set-up as a ``dictConfig`` for uvicorn, so the
workers of ``assist serve --workers N`` log the same way from their first line. The request's
context lives in structlog's context variables (``structlog.contextvars``), bound by the API.

A message in the code's ``event.name key=value ...`` style is split into ``event`` and its fields
when every value is one word; anything else stays whole in ``event``.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

LogFormat = Literal["json", "console"]

_SECRET_PARAM = re.compile(
    r"(?i)([?&][^=&#]*(?:token|code|key|password|secret|authori[sz]ation)[^=&#]*=)[^&#\s]*"
)
_KEY_VALUES = re.compile(r"(?P<name>[a-z][a-z0-9_.]*)(?P<pairs>(?: [a-z][a-z0-9_]*=\S*)+)")
_RESERVED = frozenset({"event", "level", "logger", "timestamp", "pid", "exception"})
# uvicorn's own record attributes that are no fields of ours (``color_message``: ANSI codes)
_DROPPED = ("color_message",)


def redact_query(path: str) -> str:
    """``path`` with the values of query parameters that look like credentials replaced."""
    return _SECRET_PARAM.sub(r"\1[redacted]", path)


def split_key_values(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """``"service.ready chunks=3 flows=5"`` -> ``event="service.ready", chunks="3", flows="5"``."""
    event = event_dict.get("event")
    if not isinstance(event, str):
        return event_dict
    match = _KEY_VALUES.fullmatch(event)
    if match is None:
        return event_dict
    pairs = dict(pair.split("=", 1) for pair in match["pairs"].split())
    if any(key in _RESERVED or key in event_dict for key in pairs):
        return event_dict
    event_dict.update(pairs, event=match["name"])
    return event_dict


def access_fields(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """uvicorn's access line as fields: ``client``, ``method``, ``path`` (credentials redacted
    again here, whatever filters the logger has), ``http_version``, ``status``."""
    args = event_dict.pop("positional_args", None)
    record = event_dict.get("_record")
    if record is None or record.name != "uvicorn.access":
        return event_dict
    if isinstance(args, tuple) and len(args) == 5:
        client, method, path, version, status = args
        event_dict.update(
            event="http.access",
            client=client,
            method=method,
            path=redact_query(str(path)),
            http_version=version,
            status=status,
        )
    else:  # an unknown shape: keep the line, never an unredacted query
        event_dict["event"] = redact_query(str(event_dict.get("event", "")))
    return event_dict


def add_pid(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The worker's process id: with ``--workers N`` the lines of N processes interleave."""
    event_dict["pid"] = os.getpid()
    return event_dict


def drop_library_extras(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key in _DROPPED:
        event_dict.pop(key, None)
    return event_dict


def _shared() -> list[Processor]:
    """What every line gets, from structlog's loggers and from the standard library's alike."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_pid,
    ]


def make_formatter(renderer: LogFormat = "json") -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the root handler (also named by ``logging_config``)."""
    final: Processor = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if renderer == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        pass_foreign_args=True,  # uvicorn's access line: the fields are its arguments
        foreign_pre_chain=[
            *_shared(),
            structlog.stdlib.ExtraAdder(),
            drop_library_extras,
            access_fields,
            split_key_values,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            final,
        ],
    )


class AssistLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the process's stderr as it is when the record is written (a redirected or a
    test's captured stderr included). Its presence on the root logger marks logging as set up."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:  # StreamHandler assigns it; the property decides
        pass


def _configure_structlog() -> None:
    if structlog.is_configured():
        return
    structlog.configure(
        processors=[*_shared(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def is_configured() -> bool:
    return any(isinstance(h, AssistLogHandler) for h in logging.getLogger().handlers)


def configure_logging(renderer: LogFormat = "json", level: str = "INFO") -> bool:
    """Route every logger of the process through structlog, once; True if this call did it.
    A process already set up (by this function or by ``logging_config``) is left as it is."""
    _configure_structlog()
    if is_configured():
        return False
    handler = AssistLogHandler()
    handler.setFormatter(make_formatter(renderer))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's default handlers would print a second, plain copy of each line
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return True


def logging_config(renderer: LogFormat = "json", level: str = "INFO") -> dict[str, Any]:
    """``configure_logging`` as uvicorn's ``log_config``: applied in every worker at start."""
    quiet = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"assist": {"()": f"{__name__}.make_formatter", "renderer": renderer}},
        "handlers": {"assist": {"class": f"{__name__}.AssistLogHandler", "formatter": "assist"}},
        "root": {"handlers": ["assist"], "level": level},
        "loggers": {name: dict(quiet) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
