import sys
from pathlib import Path

import pytest

TRAINING_CODE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TRAINING_CODE))

# CI checks the shared data out beside the repository, as on the development machine.
SHARED_DATA = Path(__file__).parents[2] / ".." / "shared" / "data"


@pytest.fixture
def write(tmp_path):
    """Write bytes or text to a file in tmp_path and return its path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


def need(path: Path) -> Path:
    """A shared data file the test reads; its absence fails the test, never skips it."""
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests read ../shared/data beside the repository")
    return path
