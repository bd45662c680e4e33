"""The real ``chroma run`` server for the contract and scale-out tests lives in ``bot.cluster``."""

from bot.cluster import chroma_server, free_port

__all__ = ["chroma_server", "free_port"]
