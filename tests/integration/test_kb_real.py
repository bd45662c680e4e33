"""The knowledge base with the real model, embedded Chroma and the bundled documents."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from bot.kb.embedder import OFFLINE_ENV, Embedder, SentenceTransformerEmbedder
from bot.kb.retriever import Filters
from bot.kb.schema import IndexLayout, collection_name
from bot.kb.service import KnowledgeBase
from bot.kb.vectorstore import ChromaVectorStore
from tests.integration.conftest import REPO, ServerIndex

pytestmark = pytest.mark.integration


def open_kb(root: Path, embedder: Embedder) -> KnowledgeBase:
    name = collection_name("kb", embedder.name, embedder.dimension)
    store = ChromaVectorStore.embedded(IndexLayout(root).chroma, name, embedder)
    return KnowledgeBase(root, embedder, store)


@pytest.fixture(params=["embedded", "server"])
def kb(request: pytest.FixtureRequest, real_embedder: Embedder) -> KnowledgeBase:
    """The same questions against embedded Chroma and against a `chroma run` server."""
    if request.param == "embedded":
        return open_kb(request.getfixturevalue("bundled_index"), real_embedder)
    server: ServerIndex = request.getfixturevalue("server_index")
    name = collection_name("kb", real_embedder.name, real_embedder.dimension)
    store = ChromaVectorStore.http(server.host, server.port, name, real_embedder)
    return KnowledgeBase(server.data_dir / "index", real_embedder, store)


def test_model_loads_offline_without_any_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"the embedder tried the network: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    assert embedder.dimension == 384
    assert all(os.environ.get(k) == v for k, v in OFFLINE_ENV.items())
    a, b = embedder.embed_documents(["no signal on the display", "display shows no signal"])
    assert sum(x * y for x, y in zip(a, b, strict=True)) > 0.8  # normalised and meaningful


def test_missing_model_names_the_setting(tmp_path: Path) -> None:
    from bot.errors import ModelUnavailableError

    with pytest.raises(ModelUnavailableError) as err:
        SentenceTransformerEmbedder(tmp_path / "nowhere").warm_up()
    assert err.value.setting == "ASSIST_EMBEDDING__MODEL"


def test_hdmi_fix_question_cites_9_4_1(kb: KnowledgeBase) -> None:
    answer = kb.ask("Which firmware fixed the HDMI handshake on the CX-900?")
    assert not answer.abstained
    assert answer.passages[0].chunk.version == "9.4.1"
    assert "CX-4821" in answer.text and answer.citations[0].version == "9.4.1"


def test_a_described_open_issue_is_said_to_be_open(kb: KnowledgeBase) -> None:
    answer = kb.ask(
        "Since we set the AX-8 to Adaptive noise suppression, the far end says the first word of "
        "each sentence sounds soft in our very quiet room. Which firmware update fixes that?"
    )
    assert answer.text.startswith("AX-2281 is still open: the notes name no release"), answer.text


def test_eval_questions_answer_with_their_gold_files(kb: KnowledgeBase) -> None:
    text = (REPO / "evals/datasets/bundled_kb.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    answerable = [r for r in rows if r["gold_files"]]
    hits = 0
    for row in answerable:
        answer = kb.ask(row["question"], k=5, filters=Filters(audience="engineer"))
        hits += bool({p.chunk.source for p in answer.passages} & set(row["gold_files"]))
    assert hits / len(answerable) >= 0.9


def test_engineer_bulletins_stay_out_of_customer_answers(kb: KnowledgeBase) -> None:
    for question in (
        "CX-900 power supply replacement part number",
        "PTZ pan motor replacement part",
    ):
        answer = kb.ask(question, k=10)
        assert all(p.chunk.audience == "customer" for p in answer.passages)
        assert all("bulletins/" not in c.source for c in answer.citations)


def test_cli_ask_json_contract(bundled_index: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import build_app

    result = CliRunner().invoke(
        build_app(),
        [
            "ask",
            "what changed in 4.2?",
            "--index",
            str(bundled_index),
            "--product",
            "vx-camera",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"answer", "abstained", "citations", "passages"}
    first = data["passages"][0]
    assert set(first) >= {"text", "source", "title", "product", "version", "section", "score"}
    assert first["product"] == "vx-camera" and not Path(first["source"]).is_absolute()
    assert REPO.joinpath("knowledge/docs", first["source"]).is_file()
