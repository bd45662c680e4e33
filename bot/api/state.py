"""What the running service holds: the settings and the knowledge base, opened once per process."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from bot.config import Settings
from bot.errors import AssistError
from bot.kb.service import KnowledgeBase

log = logging.getLogger(__name__)


@dataclass
class ServiceState:
    settings: Settings
    kb: KnowledgeBase | None = None
    ready: bool = False
    problem: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        """Open the index and warm the model; readiness flips when both are done."""
        try:
            kb = KnowledgeBase.from_settings(self.settings)
            kb.warm_up()
            with self._lock:
                self.kb, self.ready, self.problem = kb, True, None
            log.info("service.ready chunks=%d", len(kb.retriever.chunks))
        except AssistError as exc:
            with self._lock:
                self.problem = str(exc)
            log.error("service.not_ready reason=%s", exc)
