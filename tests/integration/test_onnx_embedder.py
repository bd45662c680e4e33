"""The ONNX Runtime backend gives the torch model's vectors, exports once, and serves without torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.errors import ModelUnavailableError
from bot.kb.embedder import Embedder, SentenceTransformerEmbedder, packaged_model_path
from bot.kb.onnx_embedder import OnnxEmbedder
from bot.kb.onnx_export import exported_model
from bot.kb.service import make_embedder
from tests.conftest import ONNX_CACHE

pytestmark = pytest.mark.integration

TEXTS = [
    "no",
    "Which firmware fixed the HDMI handshake on the CX-900?",
    "CX-4821: HDMI input 2 lost sync with some laptops after the 9.4.0 update.",
    "The far end hears an echo when the room microphones pick up the loudspeakers. " * 3,
    "word " * 700,  # longer than the model's 256 tokens: truncated the same way
]


@pytest.fixture(scope="module")
def torch_embedder() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    return embedder


def test_default_backend_is_onnx_and_matches_torch(
    real_embedder: Embedder, torch_embedder: SentenceTransformerEmbedder
) -> None:
    assert isinstance(make_embedder(Settings()), OnnxEmbedder)
    assert real_embedder.name == torch_embedder.name  # one index serves both backends
    onnx = np.array(real_embedder.embed_documents(TEXTS))
    torch = np.array(torch_embedder.embed_documents(TEXTS))
    assert onnx.shape == (len(TEXTS), 384)
    cosine = (onnx * torch).sum(axis=1)
    assert cosine.min() > 0.9999, cosine
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_a_text_gets_the_same_vector_alone_or_in_a_padded_batch(real_embedder: Embedder) -> None:
    batch = np.array(real_embedder.embed_documents(TEXTS))
    alone = np.array([real_embedder.embed_query(t) for t in TEXTS])
    assert np.abs(batch - alone).max() < 1e-5


def test_int8_is_its_own_index_and_close_to_fp32(real_embedder: Embedder) -> None:
    int8 = OnnxEmbedder(cache_dir=ONNX_CACHE, variant="int8")
    assert int8.name != real_embedder.name  # quantised vectors never mix with fp32 ones
    a = np.array(int8.embed_documents(TEXTS[1:4]))
    b = np.array(real_embedder.embed_documents(TEXTS[1:4]))
    assert (a * b).sum(axis=1).min() > 0.95


def test_the_export_is_reused_and_serving_never_imports_torch(real_embedder: Embedder) -> None:
    model = exported_model(packaged_model_path(), ONNX_CACHE, "fp32")
    stamp = model.stat().st_mtime_ns
    OnnxEmbedder(cache_dir=ONNX_CACHE).warm_up()
    assert model.stat().st_mtime_ns == stamp  # not exported again
    probe = (
        "import sys, json; from pathlib import Path; from bot.kb.onnx_embedder import OnnxEmbedder;"
        f"e = OnnxEmbedder(cache_dir=Path({str(ONNX_CACHE)!r})); v = e.embed_query('echo');"
        "print(json.dumps({'torch': 'torch' in sys.modules, 'dim': len(v)}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"torch": False, "dim": 384}


def test_a_broken_model_folder_fails_with_the_setting_and_leaves_no_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "tokenizer.json").write_text((packaged_model_path() / "tokenizer.json").read_text())
    (broken / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(ModelUnavailableError) as err:
        OnnxEmbedder(broken, cache_dir=tmp_path / "cache").warm_up()
    assert "ONNX" in str(err.value) and err.value.setting == "ASSIST_EMBEDDING__BACKEND"
    assert not list((tmp_path / "cache").rglob("*.onnx"))


def test_a_folder_without_a_tokenizer_names_the_model_setting(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError) as err:
        OnnxEmbedder(tmp_path, cache_dir=tmp_path / "cache").warm_up()
    assert err.value.setting == "ASSIST_EMBEDDING__MODEL"


def test_an_unknown_variant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="unknown ONNX variant"):
        exported_model(packaged_model_path(), tmp_path, "int4")  # type: ignore[arg-type]
