import numpy as np
import pytest
import torch

from maxrec_trainer import sampling
from maxrec_trainer.metrics import hit_rate_and_ndcg, target_ranks
from maxrec_trainer.reader import read_interactions
from maxrec_trainer.sampling import InteractionSet, sample_candidates, sample_negatives
from maxrec_trainer.split import leave_last_out


@pytest.mark.parametrize("dense", [True, False], ids=["dense table", "sorted keys"])
def test_sampler_never_returns_a_users_own_item(dense, monkeypatch):
    monkeypatch.setattr(sampling, "DENSE_PAIRS", 1 << 26 if dense else 0)
    rng = np.random.default_rng(0)
    n_users, n_items = 50, 30
    users = rng.integers(0, n_users, 1000)
    items = rng.integers(0, n_items, 1000)
    seen = InteractionSet(users, items, n_users, n_items)
    assert (seen.dense is not None) == dense
    pairs = set(zip(users.tolist(), items.tolist()))
    counts = np.bincount(np.unique(seen.sorted_keys) // n_items, minlength=n_users)
    who = np.repeat(np.flatnonzero((counts > 0) & (counts < n_items)), 200)
    negatives = sample_negatives(who, n_items, seen, rng)
    assert not any((u, i) in pairs for u, i in zip(who.tolist(), negatives.tolist()))
    candidates = sample_candidates(np.arange(n_users), n_items, seen, counts, rng, k=10)
    for user, row in enumerate(candidates):
        assert not any((user, i) in pairs for i in row.tolist())
        if counts[user] <= n_items - 10:
            assert len(set(row)) == 10


def test_metrics_on_hand_computed_rankings():
    scores = torch.tensor(
        [
            [0.9, 0.1, 0.2, 0.3],  # rank 0: hit, gain 1
            [0.5, 0.6, 0.1, 0.1],  # rank 1: hit, gain 1/log2(3)
            [0.1, 0.2, 0.3, 0.4],  # rank 3: a miss at k=2
            [0.5, 0.5, 0.0, 0.0],  # a tie counts against the held-out item: rank 1
        ]
    )
    ranks = target_ranks(scores)
    assert ranks.tolist() == [0, 1, 3, 1]
    hr, ndcg = hit_rate_and_ndcg(ranks, k=2)
    assert hr == 0.75
    assert abs(ndcg - (1 + 2 / np.log2(3)) / 4) < 1e-12


def test_holdout_never_leaks_into_training(write):
    lines = ["user,item,rating,timestamp"]
    rng = np.random.default_rng(1)
    for user in range(40):
        for item in rng.choice(200, 8, replace=False):
            lines.append(f"u{user},i{item},5,{rng.integers(1000)}")
    lines.append("loner,i1,5,1")
    data = read_interactions(write("h.csv", "\n".join(lines) + "\n"), ",", {})
    split = leave_last_out(data, 42)
    train = set(zip(split.train_users.tolist(), split.train_items.tolist()))
    for user, val, test in zip(split.eval_users, split.val_items, split.test_items):
        assert (user, val) not in train and (user, test) not in train
        times = {i: t for u, i, t in zip(data.users, data.items, data.times) if u == user}
        assert times[test] == max(times.values())  # the latest is the test item
        assert times[val] == sorted(times.values())[-2]
    assert split.single_interaction_users == 1 and len(split.eval_users) == 40
    assert len(split.train_users) == len(data) - 80
    pairs = set(zip(data.users.tolist(), data.items.tolist()))
    for user, row in zip(split.eval_users.tolist(), split.negatives.tolist()):
        assert not any((user, item) in pairs for item in row)


def test_without_time_the_last_line_is_the_test_item(write):
    data = read_interactions(write("n.csv", "1,a\n1,b\n1,c\n2,a\n2,c\n3,d\n"), ",", {})
    split = leave_last_out(data, 42)
    items = data.item_ids
    assert [items[i] for i in split.test_items] == ["c", "c"]
    assert [items[i] for i in split.val_items] == ["b", "a"]


def test_refit_trains_on_validation_but_never_on_test(write, monkeypatch):
    from maxrec_trainer import train
    from maxrec_trainer.train import Hyperparameters, fit

    lines = [f"u{u},i{(u * 7 + k) % 150},5,{k}" for u in range(30) for k in range(6)]
    data = read_interactions(write("f.csv", "\n".join(lines) + "\n"), ",", {})
    split = leave_last_out(data, 42)
    seen = {}

    def spy(model, step, users, items, n_pos, batch_size, device):
        seen["pairs"] = set(zip(users[:n_pos].tolist(), items[:n_pos].tolist()))
        return 0.0

    monkeypatch.setattr(train, "train_one_epoch", spy)
    fit(split, Hyperparameters(epochs=1), "cpu", refit_epochs=1)
    for user, val, test in zip(split.eval_users, split.val_items, split.test_items):
        assert (user, val) in seen["pairs"] and (user, test) not in seen["pairs"]
    fit(split, Hyperparameters(epochs=1), "cpu")
    for user, val, test in zip(split.eval_users, split.val_items, split.test_items):
        assert (user, val) not in seen["pairs"] and (user, test) not in seen["pairs"]
