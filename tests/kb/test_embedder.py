from __future__ import annotations

import numpy as np

from bot.kb.embedder import Embedder, FakeEmbedder, SentenceTransformerEmbedder


def test_fake_embedder_is_deterministic_normalised_and_meaningful() -> None:
    e = FakeEmbedder(dimension=64)
    assert isinstance(e, Embedder)
    a, b, c = e.embed_documents(
        ["hdmi handshake display", "hdmi handshake display", "echo far end"]
    )
    assert a == b and len(a) == 64
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-9
    assert float(np.dot(a, e.embed_query("hdmi display"))) > float(
        np.dot(c, e.embed_query("hdmi display"))
    )
    assert e.embed_documents([]) == [] and len(e.embed_query("")) == 64


def test_opening_an_index_needs_no_model_load() -> None:
    embedder = SentenceTransformerEmbedder()
    assert embedder.dimension == 384  # read from the packaged model folder
    assert embedder.name == "all-MiniLM-L6-v2"
    assert not embedder.is_warm  # torch was not touched
