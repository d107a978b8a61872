import struct

import numpy as np
import pytest

from maxrec_trainer.seen_items import read_seen_items, write_seen_items


def test_layout_is_the_documented_one(tmp_path):
    path = tmp_path / "seen_items.bin"
    # User 0: items 5, 2 (unsorted, with a repeat); user 1: none; user 2: item 7.
    write_seen_items(path, np.array([0, 2, 0, 0]), np.array([5, 7, 2, 5]), n_users=3)
    expected = (
        b"MXSEEN01"
        + struct.pack("<2I", 3, 3)
        + struct.pack("<4I", 0, 2, 2, 3)
        + struct.pack("<3I", 2, 5, 7)
    )
    assert path.read_bytes() == expected
    assert not list(tmp_path.glob(".*.tmp"))


def test_round_trip_matches_each_users_items(tmp_path):
    rng = np.random.default_rng(0)
    users = rng.integers(0, 500, 20_000)
    items = rng.integers(0, 3_000, 20_000)
    path = tmp_path / "seen_items.bin"
    write_seen_items(path, users, items, n_users=600)  # users 500..599 have no items
    seen = read_seen_items(path)
    assert seen.n_users == 600
    for user in (0, 17, 499, 550):
        assert seen.items_of(user).tolist() == sorted(set(items[users == user].tolist()))
    assert len(seen.indices) == len(set(zip(users.tolist(), items.tolist())))


def test_no_interactions(tmp_path):
    path = tmp_path / "seen_items.bin"
    write_seen_items(path, np.array([], dtype=np.int64), np.array([], dtype=np.int64), 2)
    seen = read_seen_items(path)
    assert seen.indptr.tolist() == [0, 0, 0]
    assert seen.items_of(1).tolist() == []


@pytest.mark.parametrize(
    ("users", "items", "n_users", "message"),
    [
        ([0, 1], [0], 2, "user indices but"),
        ([0, 2], [0, 1], 2, "user indices must lie"),
        ([0, -1], [0, 1], 2, "user indices must lie"),
        ([0, 1], [0, -3], 2, "item indices must lie"),
    ],
)
def test_refuses_bad_indices(tmp_path, users, items, n_users, message):
    with pytest.raises(ValueError, match=message):
        write_seen_items(tmp_path / "s.bin", np.array(users), np.array(items), n_users)
    assert not list(tmp_path.iterdir())


def test_refuses_files_that_are_not_seen_items(tmp_path):
    path = tmp_path / "seen_items.bin"
    write_seen_items(path, np.array([0, 1]), np.array([3, 4]), n_users=2)
    good = path.read_bytes()
    for bad, message in [
        (b"NOTMAGIC" + good[8:], "not a seen_items.bin"),
        (good[:-1], "header promises"),
        (good[:16] + struct.pack("<3I", 0, 2, 1) + good[28:], "inconsistent index"),
    ]:
        path.write_bytes(bad)
        with pytest.raises(ValueError, match=message):
            read_seen_items(path)
