"""Write the artifacts in trained_model/, each atomically (a temp file, then a rename)."""

import copy
import json
import math
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .model import AllItemsScorer, NeuMF, Scorer
from .seen_items import write_seen_items


def _finite(value: Any) -> Any:
    # JSON has no NaN: a metric that does not exist (no validation item) is null.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def write_json(path: Path, value: Any) -> None:
    """Write JSON beside `path`, then rename it into place."""
    temp = path.with_name(f".{path.name}.tmp")
    with open(temp, "w", encoding="utf-8") as f:
        json.dump(_finite(value), f, indent=2, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    os.replace(temp, path)


def _export(module: torch.nn.Module, example: tuple, path: Path, **names: Any) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module.eval(),
            example,
            str(temp),
            dynamo=False,  # the TorchScript exporter: no network, no onnxscript needed
            opset_version=17,
            **names,
        )
    os.replace(temp, path)


def export_onnx(model: NeuMF, path: Path) -> None:
    """model.onnx: int64 `user` and `item` index vectors of any length -> float32 `score`."""
    example = (torch.tensor([0, 0], dtype=torch.int64), torch.tensor([0, 1], dtype=torch.int64))
    _export(
        Scorer(copy.deepcopy(model).cpu()),
        example,
        path,
        input_names=["user", "item"],
        output_names=["score"],
        dynamic_axes={"user": {0: "n"}, "item": {0: "n"}, "score": {0: "n"}},
    )


def export_user_scores(model: NeuMF, path: Path) -> None:
    """user_scores.onnx: int64 `user` indices (k,) -> float32 `scores` (k, n_items), every
    item's probability in item-index order: what serving needs, in one run per request."""
    example = (torch.tensor([0], dtype=torch.int64),)
    _export(
        AllItemsScorer(copy.deepcopy(model).cpu()),
        example,
        path,
        input_names=["user"],
        output_names=["scores"],
        dynamic_axes={"user": {0: "k"}, "scores": {0: "k"}},
    )


def save_artifacts(
    folder: Path,
    model: NeuMF,
    user_ids: list[str],
    item_ids: list[str],
    parameters: dict,
    metrics: dict,
    seen: tuple[np.ndarray, np.ndarray],
) -> None:
    """`seen`: the (user, item) index pairs the final model was trained on."""
    folder.mkdir(parents=True, exist_ok=True)
    export_onnx(model, folder / "model.onnx")
    export_user_scores(model, folder / "user_scores.onnx")
    write_json(folder / "users.json", {uid: i for i, uid in enumerate(user_ids)})
    write_json(folder / "items.json", {iid: i for i, iid in enumerate(item_ids)})
    write_json(folder / "parameters.json", parameters)
    write_json(folder / "metrics.json", metrics)
    write_seen_items(folder / "seen_items.bin", seen[0], seen[1], len(user_ids))
