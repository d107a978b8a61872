"""Vectorised negative sampling: uniform draws, collisions with a user's own items redrawn.

Membership of (user * n_items + item) keys is one lookup in a dense table of every
pair where that table is small, else a binary search in one sorted int64 array; either
way no Python loop runs over samples.
"""

import numpy as np

MAX_ROUNDS = 1000
CHUNK = 1 << 22
# Pairs up to which membership is a dense table, one byte a pair (64 MiB): ml-100k needs
# 1.6 MB, ml-latest-small 5.9 MB; past it (500k users x 133k items) the sorted keys.
DENSE_PAIRS = 1 << 26


def interaction_keys(users: np.ndarray, items: np.ndarray, n_items: int) -> np.ndarray:
    """Sorted, unique user * n_items + item keys of every interaction a user has."""
    keys = np.sort(users.astype(np.int64) * n_items + items)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Boolean mask: which of `keys` occur in `sorted_keys`."""
    at = np.searchsorted(sorted_keys, keys)
    at[at == len(sorted_keys)] = 0
    return sorted_keys[at] == keys


class InteractionSet:
    """The (user, item) pairs that occur, asked as user * n_items + item keys."""

    def __init__(self, users: np.ndarray, items: np.ndarray, n_users: int, n_items: int):
        self.n_items = n_items
        self.sorted_keys = interaction_keys(users, items, n_items)
        self.dense: np.ndarray | None = None
        if n_users * n_items <= DENSE_PAIRS:
            # 5-10x faster than the binary search, which is most of an epoch's sampling.
            self.dense = np.zeros(n_users * n_items, dtype=bool)
            self.dense[self.sorted_keys] = True

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Boolean mask: which of `keys` are interactions."""
        if self.dense is not None:
            return self.dense[keys]
        return contains(self.sorted_keys, keys)

    def items_of(self, user: int) -> np.ndarray:
        """The sorted items `user` interacted with."""
        keys = self.sorted_keys
        lo, hi = np.searchsorted(keys, [user * self.n_items, (user + 1) * self.n_items])
        return keys[lo:hi] - user * self.n_items


def sample_negatives(
    users: np.ndarray,
    n_items: int,
    seen: InteractionSet,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """One item per entry of `users` that the user never interacted with.

    Every user in `users` must have at least one untouched item. Works in chunks
    so that the temporaries stay small next to a 100M-sample epoch.
    """
    out = np.empty(len(users), dtype=np.int64) if out is None else out
    for start in range(0, len(users), CHUNK):
        base = users[start : start + CHUNK].astype(np.int64) * n_items
        items = rng.integers(0, n_items, len(base), dtype=np.int64)
        redo = np.flatnonzero(seen.contains(base + items))
        for _ in range(MAX_ROUNDS):
            if len(redo) == 0:
                break
            items[redo] = rng.integers(0, n_items, len(redo), dtype=np.int64)
            redo = redo[seen.contains(base[redo] + items[redo])]
        else:
            raise RuntimeError("negative sampling did not converge: a user touched every item")
        out[start : start + len(base)] = items
    return out


def sample_candidates(
    users: np.ndarray,
    n_items: int,
    seen: InteractionSet,
    counts: np.ndarray,
    rng: np.random.Generator,
    k: int = 99,
) -> np.ndarray:
    """(len(users), k) distinct items per user that the user never touched.

    A user with fewer than k untouched items gets all of them, repeated to fill
    the row (only in tiny catalogues); `counts` is each user's number of items.
    """
    out = np.empty((len(users), k), dtype=np.int64)
    small = counts[users] > n_items - k
    rows = np.flatnonzero(~small)
    for start in range(0, len(rows), CHUNK // k):  # bounded temporaries for many users
        chunk = rows[start : start + CHUNK // k]
        out[chunk] = _distinct_untouched(users[chunk], n_items, seen, rng, k)
    for row in np.flatnonzero(small):  # a Python loop, but only over near-complete users
        free = np.setdiff1d(np.arange(n_items), seen.items_of(int(users[row])))
        out[row] = np.resize(rng.permutation(free), k) if len(free) else -1
    return out


def _distinct_untouched(
    users: np.ndarray, n_items: int, seen: InteractionSet, rng: np.random.Generator, k: int
) -> np.ndarray:
    """(len(users), k) distinct untouched items; each user has at least k of them."""
    base = users.astype(np.int64)[:, None] * n_items
    draw = rng.integers(0, n_items, (len(users), k), dtype=np.int64)
    active = np.arange(len(users))  # rows that may still hold an own or repeated item
    for _ in range(MAX_ROUNDS):
        part = draw[active]
        bad = seen.contains(base[active] + part)
        order = np.argsort(part, axis=1, kind="stable")
        ranked = np.take_along_axis(part, order, axis=1)
        repeat = np.zeros_like(bad)
        np.put_along_axis(repeat, order[:, 1:], ranked[:, 1:] == ranked[:, :-1], axis=1)
        bad |= repeat
        still = bad.any(axis=1)
        active, bad, part = active[still], bad[still], part[still]
        if len(active) == 0:
            return draw
        part[bad] = rng.integers(0, n_items, int(bad.sum()), dtype=np.int64)
        draw[active] = part
    raise RuntimeError("sampling evaluation negatives did not converge")
