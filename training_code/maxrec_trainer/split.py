"""Leave-last-out split: each user's latest interaction is the test item, the one before it
the validation item; both are ranked against the same 99 items the user never touched."""

from dataclasses import dataclass

import numpy as np

from .dialect import DataError
from .reader import Interactions
from .sampling import InteractionSet, sample_candidates

EVAL_NEGATIVES = 99


@dataclass
class Split:
    n_users: int
    n_items: int
    train_users: np.ndarray  # (n_train,) int64
    train_items: np.ndarray  # (n_train,) int64
    eval_users: np.ndarray  # (n_eval,) users with >= 2 interactions
    val_items: np.ndarray  # (n_eval,)
    test_items: np.ndarray  # (n_eval,)
    negatives: np.ndarray  # (n_eval, 99) untouched items, shared by validation and test
    seen: InteractionSet  # every interaction (train, validation, test), for the samplers
    counts: np.ndarray  # (n_users,) interactions per user
    single_interaction_users: int

    def candidates(self, which: str) -> np.ndarray:
        """(n_eval, 100) items to rank: the held-out item in column 0, then the negatives."""
        held_out = self.val_items if which == "val" else self.test_items
        return np.concatenate([held_out[:, None], self.negatives], axis=1)


def leave_last_out(data: Interactions, seed: int) -> Split:
    """Hold out each user's last two interactions (by time, else by line)."""
    n_users, n_items = len(data.user_ids), len(data.item_ids)
    if n_items < 2:
        raise DataError(
            f"{data.path} has {n_items} distinct item(s) (column "
            f"{data.dialect.names[data.dialect.roles['item']]!r}): a recommender needs at "
            "least 2; check --item_col."
        )
    # By user, then time, then line: stable sorts keep file order among equal keys.
    order = np.arange(len(data)) if data.times is None else np.argsort(data.times, kind="stable")
    order = order[np.argsort(data.users[order], kind="stable")]
    counts = np.bincount(data.users, minlength=n_users)
    last = np.cumsum(counts) - 1  # position in `order` of each user's latest interaction
    # A user who touched every item has nothing to be ranked against.
    evaluated = np.flatnonzero((counts >= 2) & (counts < n_items))
    if len(evaluated) == 0 and (counts >= 2).any():
        raise DataError(
            f"{data.path}: every user with 2 or more interactions has all {n_items} items, so "
            "there is no item they have not touched to rank a held-out one against, nor to "
            "draw negatives from. A recommender needs items each user has not had: add items "
            "or users, or check --item_col."
        )
    if len(evaluated) == 0:
        raise DataError(
            f"{data.path}: no user has 2 or more interactions, so nothing can be held out "
            "to measure the model. Check --user_col, or add more interactions per user."
        )
    test_rows = order[last[evaluated]]
    val_rows = order[last[evaluated] - 1]
    train = np.ones(len(data), dtype=bool)
    train[test_rows] = False
    train[val_rows] = False

    # Training rows grouped by user: the sampler's lookups then stay cache-local (20x faster).
    train_rows = order[train[order]]
    seen = InteractionSet(data.users, data.items, n_users, n_items)
    rng = np.random.default_rng(seed)
    negatives = sample_candidates(evaluated, n_items, seen, counts, rng, EVAL_NEGATIVES)
    return Split(
        n_users=n_users,
        n_items=n_items,
        train_users=data.users[train_rows].astype(np.int64),
        train_items=data.items[train_rows].astype(np.int64),
        eval_users=evaluated.astype(np.int64),
        val_items=data.items[val_rows].astype(np.int64),
        test_items=data.items[test_rows].astype(np.int64),
        negatives=negatives,
        seen=seen,
        counts=counts,
        single_interaction_users=int((counts == 1).sum()),
    )
