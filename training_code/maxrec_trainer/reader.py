"""Read a user's interactions file into compact integer arrays and string id maps.

pyarrow's CSV reader parses the file with every column as a string, so ids like
'0042' and '42' stay different; user and item ids are then dictionary-encoded
to int32 indices and the string columns are dropped, which keeps a 20M-line
file well under 4 GB.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .dialect import DataError, Dialect, show, sniff


@dataclass
class Interactions:
    users: np.ndarray  # (n,) int32 index into user_ids
    items: np.ndarray  # (n,) int32 index into item_ids
    ratings: np.ndarray | None  # (n,) float32, None for implicit files
    times: np.ndarray | None  # (n,) float64 sort key, None when there is no time column
    user_ids: list[str]
    item_ids: list[str]
    dialect: Dialect
    path: Path
    duplicates: int = 0

    def __len__(self) -> int:
        return len(self.users)


def read_interactions(
    path: Path, delimiter: str | None, columns: dict[str, str | None]
) -> Interactions:
    """Read, map and deduplicate the file; raise DataError with a line number when it can't."""
    if not path.exists():
        raise DataError(
            f"{path} does not exist: check --data (relative to $DATA_DIR, or absolute)."
        )
    if not path.is_file():
        raise DataError(f"{path} is a folder: point --data at the interactions file inside it.")
    dialect = sniff(path, delimiter, columns)
    first_line = 2 if dialect.header else 1
    try:
        # Ratings and times parsed as numbers while reading: no string copies of them.
        table = _read_table(path, dialect, numeric=True)
    except _NotNumeric:
        table = _read_table(path, dialect, numeric=False)

    users, user_ids = _encode_ids(table.column("user"), "user", path, first_line)
    table = table.drop_columns(["user"])
    items, item_ids = _encode_ids(table.column("item"), "item", path, first_line)
    table = table.drop_columns(["item"])
    ratings = None
    if "rating" in table.column_names:
        ratings = _to_numbers(table.column("rating"), "rating", dialect, path, first_line)
        ratings = ratings.astype(np.float32)
        table = table.drop_columns(["rating"])
    times = None
    if "time" in table.column_names:
        times = _to_times(table.column("time"), dialect)
    del table

    data = Interactions(users, items, ratings, times, user_ids, item_ids, dialect, path)
    return deduplicate(data)


class _NotNumeric(Exception):
    """A rating or time that pyarrow could not parse as a number: retry with strings."""


def _read_table(path: Path, dialect: Dialect, numeric: bool) -> pa.Table:
    wanted = {position: role for role, position in dialect.roles.items()}
    names = [wanted.get(i, f"_unused{i}") for i in range(len(dialect.names))]
    numbers = {"rating", "time"} if numeric else set()
    convert = pacsv.ConvertOptions(
        column_types={n: pa.float64() if n in numbers else pa.string() for n in names},
        include_columns=[n for n in names if not n.startswith("_unused")],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    delimiter = dialect.delimiter
    source: str | pa.BufferReader = str(path)
    if delimiter == "::":
        # pyarrow reads single-character delimiters; '::' files become unit-separated.
        with open(path, "rb") as f:
            source = pa.BufferReader(f.read().replace(b"::", b"\x1f"))
        delimiter = "\x1f"
    parse = pacsv.ParseOptions(delimiter=delimiter, quote_char='"', ignore_empty_lines=True)

    for encoding in dict.fromkeys([dialect.encoding, "latin-1"]):
        read = pacsv.ReadOptions(
            column_names=names,
            skip_rows=1 if dialect.header else 0,
            encoding=encoding,
            block_size=16 << 20,
        )
        try:
            if isinstance(source, pa.BufferReader):
                source.seek(0)
            return pacsv.read_csv(
                source, read_options=read, parse_options=parse, convert_options=convert
            )
        except pa.ArrowInvalid as error:
            if numeric and "conversion error to double" in str(error):
                raise _NotNumeric() from None
            if "UTF8" in str(error) and encoding != "latin-1":
                dialect.notes.append("not valid UTF-8 further down: read as Latin-1")
                dialect.encoding = "latin-1"
                continue
            raise DataError(_explain_parse_error(path, dialect, str(error))) from None
    raise AssertionError("unreachable")


def _explain_parse_error(path: Path, dialect: Dialect, error: str) -> str:
    """Find the first line whose field count differs from line 1's (only on the error path)."""
    width = len(dialect.names)
    with open(path, encoding=dialect.encoding, errors="replace", newline="") as f:
        text = f.read().replace("::", "\x1f") if dialect.delimiter == "::" else f.read()
    delimiter = "\x1f" if dialect.delimiter == "::" else dialect.delimiter
    for number, fields in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        if fields and len(fields) != width:
            return (
                f"{path} line {number} has {len(fields)} fields where line 1 has {width} "
                f"(delimiter {show(dialect.delimiter)!r}): fix or remove that line."
            )
    return f"{path} could not be parsed: {error.splitlines()[0]}"


def _encode_ids(column: pa.ChunkedArray, role: str, path: Path, first_line: int):
    """int32 indices in order of first appearance, and the id strings, whitespace-trimmed."""
    encoded = pc.dictionary_encode(column)  # one dictionary shared by every chunk
    indices = np.concatenate(
        [c.indices.to_numpy(zero_copy_only=False) for c in encoded.chunks] or [np.zeros(0)]
    ).astype(np.int32, copy=False)
    dictionary = encoded.chunks[0].dictionary if encoded.num_chunks else pa.array([], pa.string())
    # Trim the (small) dictionary, not the column; ' 42' and '42' then become one id.
    trimmed = pc.utf8_trim_whitespace(dictionary).to_pylist()
    ids, remap = np.unique(np.asarray(trimmed, dtype=object), return_inverse=True)
    if len(ids) and ids[0] == "":
        empty = np.flatnonzero(remap == 0)
        row = int(np.flatnonzero(np.isin(indices, empty))[0])
        raise DataError(
            f"{path} line {row + first_line} has no {role} id: fill it in or drop the line."
        )
    if len(ids) < len(dictionary):
        indices = remap.astype(np.int32)[indices]
        first = np.full(len(ids), len(indices))
        np.minimum.at(first, indices, np.arange(len(indices)))
        order = np.argsort(first)  # back to order of first appearance
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank.astype(np.int32)[indices], [str(ids[i]) for i in order]
    return indices, trimmed


def _to_numbers(column: pa.ChunkedArray, role: str, dialect: Dialect, path: Path, first_line: int):
    if pa.types.is_floating(column.type):
        return column.to_numpy()
    values = pc.utf8_trim_whitespace(column.combine_chunks())
    try:
        return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        numbers = pd.to_numeric(pd.Series(values.to_numpy(zero_copy_only=False)), errors="coerce")
        row = int(np.flatnonzero(numbers.isna().to_numpy())[0])
        name = dialect.names[dialect.roles[role]]
        raise DataError(
            f"{path} line {row + first_line}: the {role} {values[row].as_py()!r} in column "
            f"{name!r} is not a number. Pick the right column with --{role}_col, "
            f"or pass --{role}_col none if the file has no {role}s."
        ) from None


def _to_times(column: pa.ChunkedArray, dialect: Dialect) -> np.ndarray | None:
    if pa.types.is_floating(column.type):
        return column.to_numpy()
    values = pc.utf8_trim_whitespace(column.combine_chunks())
    try:
        return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        pass
    stamps = pd.to_datetime(
        pd.Series(values.to_numpy(zero_copy_only=False)), errors="coerce", format="mixed"
    )
    if stamps.isna().mean() > 0.5:
        dialect.notes.append("time column is not a time: the split uses line order")
        return None
    return stamps.astype("int64").to_numpy().astype(np.float64)


def deduplicate(data: Interactions) -> Interactions:
    """Keep one line per (user, item): the latest by time, else the last in the file."""
    keys = data.users.astype(np.int64) * len(data.item_ids) + data.items
    order = np.argsort(keys, kind="stable")  # file order within each key
    sorted_keys = keys[order]
    repeated = sorted_keys[1:] == sorted_keys[:-1]
    del sorted_keys
    if not repeated.any():
        return data
    if data.times is None:
        drop = order[:-1][repeated]  # all but the last line of each key
    else:
        involved = np.zeros(len(order), dtype=bool)
        involved[:-1] |= repeated
        involved[1:] |= repeated
        rows = order[involved]
        rows = rows[np.lexsort((rows, data.times[rows], keys[rows]))]  # key, time, line
        drop = rows[:-1][keys[rows][1:] == keys[rows][:-1]]
    keep = np.ones(len(keys), dtype=bool)
    keep[drop] = False
    data.duplicates = len(drop)
    data.users, data.items = data.users[keep], data.items[keep]
    if data.ratings is not None:
        data.ratings = data.ratings[keep]
    if data.times is not None:
        data.times = data.times[keep]
    return data


def keep_positives(data: Interactions, min_rating: float | None) -> Interactions:
    """Drop interactions rated below min_rating, then renumber users and items densely."""
    if min_rating is None:
        return data
    if data.ratings is None:
        raise DataError(f"{data.path} has no rating column, so --min_rating cannot apply.")
    keep = np.nan_to_num(data.ratings, nan=-np.inf) >= min_rating
    user_index, users = np.unique(data.users[keep], return_inverse=True)
    item_index, items = np.unique(data.items[keep], return_inverse=True)
    data.users, data.items = users.astype(np.int32), items.astype(np.int32)
    data.user_ids = [data.user_ids[i] for i in user_index]
    data.item_ids = [data.item_ids[i] for i in item_index]
    data.ratings = data.ratings[keep]
    if data.times is not None:
        data.times = data.times[keep]
    return data
