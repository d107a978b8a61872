"""Sniff a ratings file's dialect from its first lines: encoding, delimiter, header, columns."""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path


class DataError(Exception):
    """A problem with the user's data file; the trainer exits 4 with this message."""


SAMPLE_BYTES = 256 * 1024
SAMPLE_LINES = 200
CANDIDATES = ["::", "\t", ",", ";", "|", " "]
DELIMITER_NAMES = {"\t": "\\t", " ": "' '"}

# Header names people use, compared lower-case without punctuation.
ROLE_NAMES = {
    "user": {"user", "userid", "users", "uid", "customer", "customerid", "visitorid"},
    "item": {
        "item",
        "itemid",
        "items",
        "iid",
        "movie",
        "movieid",
        "isbn",
        "artist",
        "artistid",
        "product",
        "productid",
        "book",
        "bookid",
        "song",
        "songid",
    },
    "rating": {
        "rating",
        "ratings",
        "score",
        "weight",
        "count",
        "plays",
        "playcount",
        "bookrating",
        "value",
        "label",
        "stars",
    },
    "time": {"timestamp", "time", "date", "datetime", "ts", "eventtime", "created"},
}


@dataclass
class Dialect:
    encoding: str
    delimiter: str
    header: bool
    names: list[str]  # one per column: the header's names, else "0", "1", ...
    roles: dict[str, int] = field(default_factory=dict)  # role -> column position
    notes: list[str] = field(default_factory=list)


def parse_delimiter(text: str | None) -> str | None:
    """Turn the --delimiter flag into the character(s) it means; None means sniff."""
    if text is None:
        return None
    if len(text) >= 3 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]  # quotes kept by a command line split on whitespace
    aliases = {
        "\\t": "\t",
        "tab": "\t",
        "TAB": "\t",
        "comma": ",",
        "semicolon": ";",
        "pipe": "|",
        "space": " ",
    }
    value = aliases.get(text, text)
    if value != "::" and len(value) != 1:
        raise ValueError(f"--delimiter must be one character, '::', '\\t' or 'tab', not {text!r}")
    return value


def show(delimiter: str) -> str:
    return DELIMITER_NAMES.get(delimiter, delimiter)


def split_line(line: str, delimiter: str) -> list[str]:
    if delimiter == "::":
        return line.split("::")
    return next(csv.reader(io.StringIO(line), delimiter=delimiter, quotechar='"'), [])


def is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def read_sample(path: Path) -> tuple[str, list[str]]:
    """The encoding and the first complete lines of the file; binary files are refused."""
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
        more = bool(f.read(1))
    if not head.strip():
        raise DataError(f"{path} is empty: it needs one interaction per line (user, item, ...).")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path} is UTF-16 encoded: save it as UTF-8 (or Latin-1) text and retry.")
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise DataError(
            f"{path} looks like a binary file (a NUL byte on line {line}): "
            "export the interactions as delimited text (CSV) and point --data at that."
        )
    if more and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]  # drop a partial last line
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        text, encoding = head.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = head.decode("latin-1"), "latin-1"
    lines = [ln for ln in text.splitlines() if ln.strip()][:SAMPLE_LINES]
    return encoding, lines


def sniff_delimiter(lines: list[str]) -> str | None:
    """The candidate that splits the most lines into the same number (>= 2) of fields."""
    best, best_score = None, (0, 0)
    for candidate in CANDIDATES:
        counts = [len(split_line(ln, candidate)) for ln in lines]
        common = max(set(counts), key=counts.count)
        if common < 2:
            continue
        score = (counts.count(common), -CANDIDATES.index(candidate))
        if score > best_score:
            best, best_score = candidate, score
    return best


def looks_like_header(rows: list[list[str]]) -> bool:
    first, rest = rows[0], rows[1:]
    if any(_norm(name) in names for name in first for names in ROLE_NAMES.values()):
        return True
    for col, value in enumerate(first):
        numeric_below = [is_number(r[col]) for r in rest if col < len(r)]
        if not is_number(value) and numeric_below and all(numeric_below):
            return True
    return False


def _norm(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def resolve_role(flag: str | None, names: list[str], header: bool, path: Path) -> int | None:
    """A column given by name or 0-based position; 'none' means the file has no such column."""
    if flag is None or flag.lower() == "none":
        return None
    if flag.isdigit() and int(flag) < len(names):
        return int(flag)
    if header and flag in names:
        return names.index(flag)
    raise DataError(
        f"{path} has no column {flag!r}; its columns are {', '.join(names)} "
        f"(by name{' or' if header else ', none:'} 0-based position)."
    )


def sniff(path: Path, delimiter: str | None, columns: dict[str, str | None]) -> Dialect:
    """Work out how to read the file; `columns` maps a role to its --*_col flag (or None)."""
    encoding, lines = read_sample(path)
    notes = []
    if delimiter is None:
        delimiter = sniff_delimiter(lines)
        if delimiter is None:
            raise DataError(
                f"{path} has a single column (line 1: {lines[0][:60]!r}): each line needs at "
                "least a user and an item, separated by a delimiter you pass with --delimiter."
            )
        notes.append(f"delimiter sniffed as {show(delimiter)}")
    elif not any(len(split_line(ln, delimiter)) >= 2 for ln in lines):
        guess = sniff_delimiter(lines)
        hint = (
            f"the file looks '{show(guess)}'-separated: pass --delimiter '{show(guess)}'"
            if guess
            else "pass the delimiter the file uses with --delimiter"
        )
        raise DataError(
            f"{path}: the delimiter {show(delimiter)!r} splits no line "
            f"(line 1: {lines[0][:60]!r}); {hint}."
        )
    rows = [split_line(ln, delimiter) for ln in lines]
    header = len(rows) > 1 and looks_like_header(rows)
    width = len(rows[0])
    if width < 2:
        raise DataError(f"{path} line 1 has a single field: each line needs a user and an item.")
    names = [n.strip() for n in rows[0]] if header else [str(i) for i in range(width)]

    # Flags first, then header names, then the original's positions: user, item, rating, time.
    roles: dict[str, int] = {}
    unset = []
    for role in ("user", "item", "rating", "time"):
        flag = columns.get(role)
        if flag is None:
            unset.append(role)
        elif (position := resolve_role(flag, names, header, path)) is not None:
            roles[role] = position
    if header:
        for role in list(unset):
            named = [i for i, n in enumerate(names) if _norm(n) in ROLE_NAMES[role]]
            if named and named[0] not in roles.values():
                roles[role] = named[0]
                unset.remove(role)
    for role in unset:
        default = {"user": 0, "item": 1, "rating": 2, "time": 3}[role]
        if default < width and default not in roles.values():
            roles[role] = default
    if "user" not in roles or "item" not in roles or roles["user"] == roles["item"]:
        raise DataError(f"{path}: pass --user_col and --item_col; columns are {', '.join(names)}.")
    return Dialect(encoding, delimiter, header, names, roles, notes)
