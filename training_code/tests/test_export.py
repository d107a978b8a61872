import numpy as np
import onnxruntime
import pytest
import torch

from maxrec_trainer.export import export_onnx, export_user_scores
from maxrec_trainer.model import NeuMF, Scorer


def trained_looking_model(factors: int) -> NeuMF:
    """A NeuMF whose biases and weights are all non-zero, as after training."""
    torch.manual_seed(factors)
    model = NeuMF(40, 300, factors)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    return model.eval()


@pytest.mark.parametrize("factors", [8, 16])
def test_user_scores_onnx_equals_model_onnx_and_pytorch(tmp_path, factors):
    model = trained_looking_model(factors)
    export_onnx(model, tmp_path / "model.onnx")
    export_user_scores(model, tmp_path / "user_scores.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx", "user_scores.onnx"]
    pairs = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"))
    per_user = onnxruntime.InferenceSession(str(tmp_path / "user_scores.onnx"))
    all_items = np.arange(model.n_items, dtype=np.int64)
    for users in ([0], [39, 7, 7], list(range(40))):
        (scores,) = per_user.run(["scores"], {"user": np.array(users, dtype=np.int64)})
        assert scores.dtype == np.float32 and scores.shape == (len(users), model.n_items)
        for row, user in zip(scores, users):
            user_input = np.full(model.n_items, user, dtype=np.int64)
            (expected,) = pairs.run(["score"], {"user": user_input, "item": all_items})
            with torch.no_grad():
                in_torch = Scorer(model)(torch.from_numpy(user_input), torch.from_numpy(all_items))
            np.testing.assert_allclose(row, expected, atol=1e-6)
            np.testing.assert_allclose(row, in_torch.numpy(), atol=1e-6)
