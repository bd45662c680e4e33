"""Export the packaged sentence-transformers model to ONNX once, into the data folder.

The graph holds the whole sentence encoder (transformer, mean pooling over the attention mask, L2
normalisation), so the runtime needs only ONNX Runtime and the tokenizer. ``int8`` adds dynamic
int8 quantisation of the weights. Nothing is downloaded: torch reads the local folder, and the file
is written under a folder named by the source model's fingerprint, so another model gets its own.
Two processes warming up together export once (a file lock), and a reader never sees half a file.
The export runs in a child process, so a serving process never imports torch (about 300 MB).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

from bot.errors import ModelUnavailableError

Variant = Literal["fp32", "int8"]
VARIANTS: tuple[Variant, ...] = ("fp32", "int8")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"
OPSET = 17
log = logging.getLogger(__name__)


def fingerprint(model_dir: Path) -> str:
    """Changes when the model's configuration or weights change."""
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "tokenizer.json"):
        path = model_dir / name
        if path.is_file():
            digest.update(path.read_bytes())
    for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        stat = weights.stat()
        digest.update(f"{weights.name}:{stat.st_size}".encode())
    return digest.hexdigest()[:12]


def exported_model(model_dir: Path, cache_dir: Path, variant: Variant) -> Path:
    """The ONNX file of ``variant`` for ``model_dir``, exported on first use."""
    if variant not in VARIANTS:
        raise ModelUnavailableError(
            f"unknown ONNX variant {variant!r}; choose one of {', '.join(VARIANTS)}",
            setting="ASSIST_EMBEDDING__BACKEND",
        )
    folder = cache_dir / f"{model_dir.name}-{fingerprint(model_dir)}"
    target = folder / ("model.onnx" if variant == "fp32" else "model-int8.onnx")
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".export.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file():  # another process finished it while we waited
            return target
        log.warning("exporting the embedding model to ONNX, once: %s", target)
        _run_export(model_dir, target, variant)
    return target


def _run_export(model_dir: Path, target: Path, variant: Variant) -> None:
    command = [sys.executable, "-m", "bot.kb.onnx_export", str(model_dir), str(target), variant]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not target.is_file():
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelUnavailableError(
            f"exporting the embedding model at {model_dir} to ONNX failed: {reason}; "
            "set ASSIST_EMBEDDING__BACKEND=torch to run without the export",
            setting="ASSIST_EMBEDDING__BACKEND",
        )


def export(model_dir: Path, target: Path, variant: Variant) -> None:
    """In this process: the fp32 file beside ``target`` first, then the quantised one."""
    fp32 = target.with_name("model.onnx")
    if not fp32.is_file():
        plain = target.with_name("model-plain.onnx")
        _atomic(plain, lambda tmp: _export_fp32(model_dir, tmp))
        _atomic(fp32, lambda tmp: _fuse(model_dir, plain, tmp))
        plain.unlink()
    if variant == "int8":
        _atomic(target, lambda tmp: _quantize(fp32, tmp))


def _atomic(target: Path, write: Any) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _export_fp32(model_dir: Path, out: Path) -> None:
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:  # pragma: no cover - torch comes with sentence-transformers
        raise ModelUnavailableError(
            f"exporting the ONNX model needs torch and transformers ({exc}); install the project "
            "or set ASSIST_EMBEDDING__BACKEND=torch",
            setting="ASSIST_EMBEDDING__BACKEND",
        ) from exc
    try:
        model = AutoModel.from_pretrained(
            str(model_dir), local_files_only=True, attn_implementation="eager"
        ).eval()
    except Exception as exc:  # the library raises many types for a broken folder
        raise ModelUnavailableError(
            f"cannot load the embedding model at {model_dir} for export: {exc}",
            setting="ASSIST_EMBEDDING__MODEL",
        ) from exc

    class SentenceEncoder(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    sample = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes about Python booleans in the attention code
        torch.onnx.export(
            SentenceEncoder(model),
            (sample, sample, torch.zeros_like(sample)),
            str(out),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes={**axes, OUTPUT: {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )


def _fuse(model_dir: Path, plain: Path, out: Path) -> None:
    """ONNX Runtime's transformer fusions (attention, layer norm, GELU): exact in fp32."""
    import json

    from onnxruntime.transformers import optimizer

    config = json.loads((model_dir / "config.json").read_text())
    model = optimizer.optimize_model(
        str(plain),
        model_type="bert",
        num_heads=int(config.get("num_attention_heads", 0)),
        hidden_size=int(config.get("hidden_size", 0)),
        opt_level=1,
    )
    model.save_model_to_file(str(out))


def _quantize(fp32: Path, out: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export a sentence-transformers folder to ONNX.")
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("variant", choices=VARIANTS)
    args = parser.parse_args(argv)
    export(args.model_dir, args.target, args.variant)


if __name__ == "__main__":
    main()
