import copy

import numpy as np
import onnxruntime
import pytest
import torch

from conftest import SHARED_DATA, need
from maxrec_trainer.export import export_onnx
from maxrec_trainer.model import NeuMF, Scorer
from maxrec_trainer.reader import read_interactions
from maxrec_trainer.split import leave_last_out
from maxrec_trainer.step import AdamStep
from maxrec_trainer.train import Hyperparameters, candidate_logits, fit


@pytest.fixture(scope="module")
def small_split(tmp_path_factory):
    source = need(SHARED_DATA / "ml-latest-small/ratings.csv")
    path = tmp_path_factory.mktemp("data") / "slice.csv"
    path.write_text("".join(source.read_text().splitlines(keepends=True)[:6001]))
    return leave_last_out(read_interactions(path, ",", {}), 42)


def pretraining_loss(model: NeuMF, users: torch.Tensor, items: torch.Tensor, labels):
    """The paper's pretraining, by autograd: a GMF and an MLP, each with its own loss."""
    f, bce = model.factors, torch.nn.functional.binary_cross_entropy_with_logits
    u = model.embedding[users]
    i = model.embedding[items + model.n_users]
    mlp = torch.cat((u[:, f:], i[:, f:]), dim=1)
    for layer in model.hidden:
        mlp = torch.relu(layer(mlp))
    w = model.output.weight[0]
    return bce((u[:, :f] * i[:, :f]) @ w[:f], labels) + bce(mlp @ w[f:], labels)


@pytest.mark.parametrize("l2", [0.0, 0.05], ids=["no l2", "l2"])
@pytest.mark.parametrize("pretrain", [False, True], ids=["neumf", "pretraining"])
def test_hand_derived_step_matches_autograd_and_adam(pretrain, l2):
    torch.manual_seed(0)
    fast = NeuMF(20, 30, 8)
    assert fast.layers == [32, 16, 8]
    slow = copy.deepcopy(fast)
    step = AdamStep(fast, 1e-2)
    step.pretrain, step.l2 = pretrain, l2
    optimizer = torch.optim.Adam(slow.parameters(), lr=1e-2)
    for _ in range(5):
        users, items = torch.randint(0, 20, (64,)), torch.randint(0, 30, (64,))
        labels = (torch.rand(64) < 0.3).float()
        loss = step(users, items, labels)
        optimizer.zero_grad()
        if pretrain:
            slow_loss = pretraining_loss(slow, users, items, labels)
            reported = 2 * loss / 64  # the step reports the mean of the two losses
        else:
            slow_loss = torch.nn.functional.binary_cross_entropy_with_logits(
                slow(users, items), labels
            )
            reported = loss / 64
        assert torch.allclose(reported, slow_loss, atol=1e-6)  # the data loss, without L2
        rows = torch.cat((slow.embedding[users], slow.embedding[items + slow.n_users]))
        (slow_loss + l2 / 2 * rows.pow(2).sum() / len(labels)).backward()
        optimizer.step()
    for (name, a), b in zip(fast.named_parameters(), slow.parameters()):
        assert torch.allclose(a, b, atol=1e-5), name


def test_neumf_starts_from_the_pretrained_halves():
    torch.manual_seed(0)
    model = NeuMF(5, 6, 4)
    before = model.output.weight.detach().clone()
    step = AdamStep(model, 1e-2)
    step.pretrain = True
    step(torch.tensor([0, 1]), torch.tensor([2, 3]), torch.tensor([1.0, 0.0]))
    trained = model.output.weight.detach().clone()
    assert not torch.equal(trained, before)
    step.start_neumf(alpha=0.5)
    assert not step.pretrain and step.t == 0 and not step.m.any() and not step.v.any()
    torch.testing.assert_close(model.output.weight.detach(), 0.5 * trained)


def test_a_fixed_seed_gives_the_same_metrics_twice(small_split):
    hp = Hyperparameters(epochs=2, batch_size=256)
    first, second = fit(small_split, hp, "cpu"), fit(small_split, hp, "cpu")
    assert first.history == [
        dict(h, seconds=g["seconds"], samples_per_second=g["samples_per_second"])
        for h, g in zip(second.history, first.history)
    ]
    assert (first.val_hr, first.val_ndcg) == (second.val_hr, second.val_ndcg)


def test_onnx_scores_equal_pytorch_scores(small_split, tmp_path):
    model = fit(small_split, Hyperparameters(epochs=1, batch_size=512), "cpu").model
    export_onnx(model, tmp_path / "model.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"))
    rng = np.random.default_rng(0)
    for n in (1, 7, 1000):
        users = rng.integers(0, small_split.n_users, n)
        items = rng.integers(0, small_split.n_items, n)
        (scores,) = session.run(["score"], {"user": users, "item": items})
        with torch.no_grad():
            expected = Scorer(model)(torch.from_numpy(users), torch.from_numpy(items)).numpy()
        assert scores.dtype == np.float32 and scores.shape == (n,)
        np.testing.assert_allclose(scores, expected, atol=1e-5)


def test_candidate_logits_equal_the_models_pair_by_pair(small_split):
    model = fit(small_split, Hyperparameters(epochs=1, batch_size=512), "cpu").model
    users = torch.from_numpy(small_split.eval_users)
    candidates = torch.from_numpy(small_split.candidates("val"))  # (n, 100)
    with torch.no_grad():
        fast = candidate_logits(model, users, candidates)
        pairs = model(users[:, None].expand_as(candidates).reshape(-1), candidates.reshape(-1))
    assert fast.shape == candidates.shape
    torch.testing.assert_close(fast, pairs.view(candidates.shape), atol=1e-5, rtol=1e-5)
