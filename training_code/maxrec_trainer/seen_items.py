"""seen_items.bin: each user's training items, for `maxrec serve`'s exclude_seen.

A CSR matrix over the training interactions only (held-out validation and test items are
not in it), little-endian, so the service maps it into typed arrays without parsing:

    8 bytes   ASCII magic b"MXSEEN01"
    uint32    n_users
    uint32    nnz
    uint32    indptr[n_users + 1]   user u's items are indices[indptr[u]:indptr[u + 1]]
    uint32    indices[nnz]          item indices, sorted and unique within each user
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"MXSEEN01"
HEADER_BYTES = len(MAGIC) + 8
UINT32_LIMIT = 2**32


@dataclass
class SeenItems:
    indptr: np.ndarray  # (n_users + 1,) uint32
    indices: np.ndarray  # (nnz,) uint32

    @property
    def n_users(self) -> int:
        return len(self.indptr) - 1

    def items_of(self, user: int) -> np.ndarray:
        return self.indices[self.indptr[user] : self.indptr[user + 1]]


def write_seen_items(
    path: str | Path, user_idx: np.ndarray, item_idx: np.ndarray, n_users: int
) -> None:
    """Write the (user, item) index pairs as seen_items.bin; repeated pairs count once."""
    users = np.asarray(user_idx, dtype=np.int64).ravel()
    items = np.asarray(item_idx, dtype=np.int64).ravel()
    if users.shape != items.shape:
        raise ValueError(f"{len(users)} user indices but {len(items)} item indices")
    if not 0 <= n_users < UINT32_LIMIT - 1:
        raise ValueError(f"n_users {n_users} does not fit the format")
    if len(users) and (users.min() < 0 or users.max() >= n_users):
        raise ValueError(f"user indices must lie in [0, {n_users})")
    if len(items) and (items.min() < 0 or items.max() >= UINT32_LIMIT):
        raise ValueError("item indices must lie in [0, 2**32)")

    # One sort of user * width + item orders by user, then item, and drops repeats.
    width = int(items.max()) + 1 if len(items) else 1
    keys = np.unique(users * width + items)
    if len(keys) >= UINT32_LIMIT:
        raise ValueError(f"{len(keys)} interactions do not fit the format")
    indptr = np.zeros(n_users + 1, dtype="<u4")
    np.cumsum(np.bincount(keys // width, minlength=n_users), out=indptr[1:])
    indices = (keys % width).astype("<u4")

    header = MAGIC + np.array([n_users, len(indices)], dtype="<u4").tobytes()
    path = Path(path)
    temp = path.with_name(f".{path.name}.tmp")
    with open(temp, "wb") as f:
        f.write(header)
        f.write(indptr.tobytes())
        f.write(indices.tobytes())
    os.replace(temp, path)


def read_seen_items(path: str | Path) -> SeenItems:
    """Read and check seen_items.bin; ValueError if it is not one."""
    data = Path(path).read_bytes()
    if len(data) < HEADER_BYTES or data[: len(MAGIC)] != MAGIC:
        raise ValueError(f"{path} is not a seen_items.bin file (no {MAGIC.decode()} header)")
    n_users, nnz = (int(v) for v in np.frombuffer(data, "<u4", 2, len(MAGIC)))
    expected = HEADER_BYTES + 4 * (n_users + 1 + nnz)
    if len(data) != expected:
        raise ValueError(f"{path} has {len(data)} bytes; its header promises {expected}")
    indptr = np.frombuffer(data, "<u4", n_users + 1, HEADER_BYTES)
    indices = np.frombuffer(data, "<u4", nnz, HEADER_BYTES + 4 * (n_users + 1))
    if indptr[0] != 0 or indptr[-1] != nnz or np.any(np.diff(indptr.astype(np.int64)) < 0):
        raise ValueError(f"{path} has an inconsistent index (indptr)")
    return SeenItems(indptr=indptr, indices=indices)
