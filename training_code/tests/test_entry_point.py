import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import train_ncf
from conftest import SHARED_DATA, TRAINING_CODE, need

EXPECTED = {
    "model.onnx",
    "user_scores.onnx",
    "users.json",
    "items.json",
    "parameters.json",
    "metrics.json",
    "seen_items.bin",
}


def shipped_training_cmd() -> str:
    lines = (TRAINING_CODE / "train-max-model.sh").read_text().splitlines()
    commands = [line for line in lines if line.startswith("TRAINING_CMD=")]
    assert len(commands) == 1
    return commands[0]


def copy_code(tmp_path: Path, training_cmd: str) -> Path:
    """The training code as the app packages it: TRAINING_CMD's line replaced."""
    code = tmp_path / "code"
    shutil.copytree(TRAINING_CODE, code, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    script = code / "train-max-model.sh"
    text = script.read_text().replace(shipped_training_cmd(), f'TRAINING_CMD="{training_cmd}"')
    script.write_text(text)
    return code


def run_script(code: Path, data_dir: Path | None, result_dir: Path | None):
    env = {
        **os.environ,
        "MAXREC_SKIP_INSTALL": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    for name, value in (("DATA_DIR", data_dir), ("RESULT_DIR", result_dir)):
        env.pop(name, None)
        if value is not None:
            env[name] = str(value)
    return subprocess.run(
        ["bash", str(code / "train-max-model.sh")],
        env=env,
        text=True,
        capture_output=True,
        timeout=240,
    )


def test_shipped_command_trains_on_the_sample_layout(tmp_path):
    assert (
        shipped_training_cmd()
        == 'TRAINING_CMD="python3 train_ncf.py --data data/ratings.csv --epoch 20"'
    )
    source = need(SHARED_DATA / "ml-latest-small/ratings.csv")
    data_dir, result_dir = tmp_path / "data_dir", tmp_path / "results"
    (data_dir / "data").mkdir(parents=True)
    result_dir.mkdir()
    lines = source.read_text().splitlines(keepends=True)[:4001]
    (data_dir / "data" / "ratings.csv").write_text("".join(lines))
    code = copy_code(
        tmp_path, "python3 train_ncf.py --data data/ratings.csv --epoch 2 --batch_size 512"
    )

    done = run_script(code, data_dir, result_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    names = [e["event"] for e in events]
    # Two validated epochs, then the refit on train + validation for the best count.
    refit = [e for e in events if e["event"] == "phase"]
    assert names == ["start", "epoch", "epoch"] + ["phase"] * len(refit) + ["end"]
    assert refit and all(e["phase"] == "refit" for e in refit)
    assert [e["epoch"] for e in refit] == list(range(1, refit[0]["epochs"] + 1))
    assert set(refit[0]) == {"event", "phase", "epoch", "epochs", "loss", "seconds"}
    assert events[0]["users"] > 0 and events[0]["hpo"] is False and events[0]["trials"] == 0
    assert events[-1]["search_seconds"] == 0
    assert set(events[1]) == {
        "event",
        "epoch",
        "epochs",
        "loss",
        "val_hr",
        "val_ndcg",
        "seconds",
        "samples_per_second",
    }

    folder = result_dir / "model" / "trained_model"
    assert EXPECTED <= {p.name for p in folder.iterdir()}
    metrics = json.loads((folder / "metrics.json").read_text())
    for key in (
        "hit_rate_at_10",
        "ndcg_at_10",
        "val_hit_rate_at_10",
        "val_ndcg_at_10",
        "protocol",
        "users",
        "items",
        "interactions",
        "epochs_run",
        "train_seconds",
        "search_seconds",
    ):
        assert key in metrics
    assert metrics["hit_rate_at_10"] == pytest.approx(events[-1]["test_hr"], abs=1e-6)
    parameters = json.loads((folder / "parameters.json").read_text())
    users = json.loads((folder / "users.json").read_text())
    items = json.loads((folder / "items.json").read_text())
    assert parameters["n_users"] == len(users) and parameters["n_items"] == len(items)
    assert parameters["epochs"] == 2 and parameters["factors"] == 8
    assert parameters["mlp_layers"] == [32, 16, 8]  # the paper's tower for 8 factors
    # Pretraining's epochs are counted: pretraining, then 2 NeuMF epochs (no epoch events).
    assert metrics["epochs_run"] == parameters["pretrain_epochs"] + 2
    assert events[-1]["epochs_run"] == metrics["epochs_run"]
    assert sorted(items.values()) == list(range(len(items)))

    with tarfile.open(result_dir / "model_training_output.tar.gz") as archive:
        names = set(archive.getnames())
    assert {f"trained_model/{name}" for name in EXPECTED} <= names
    assert all(name.startswith("trained_model") for name in names)


def test_hpo_counts_its_trials_first_and_times_the_search(write, tmp_path, capsys):
    # 30 users with 6 of 20 items each: enough to split and evaluate, seconds to train.
    lines = [f"u{u},i{(u * 7 + k * 3) % 20},5,{k}" for u in range(30) for k in range(6)]
    path = write("tiny.csv", "\n".join(lines) + "\n")
    output = tmp_path / "trained_model"
    flags = ["--epoch", "1", "--batch_size", "256", "--hpo", "--hpo_trials", "2"]
    assert train_ncf.main(["--data", str(path), "--output", str(output), *flags]) == 0

    out = capsys.readouterr().out
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    start, end = events[0], events[-1]
    trials = [e for e in events if e["event"] == "trial"]
    # The count comes before any trial event; the search's time with the end.
    assert start["event"] == "start" and start["hpo"] is True and start["trials"] == 2
    assert [t["trial"] for t in trials] == [1, 2]
    assert end["event"] == "end" and end["search_seconds"] > 0
    assert end["search_seconds"] >= sum(t["seconds"] for t in trials) - 1e-3
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["search_seconds"] == pytest.approx(end["search_seconds"], abs=1e-6)


def test_script_exit_codes(tmp_path):
    code = copy_code(tmp_path, "python3 train_ncf.py --data data/missing.csv --epoch 1")
    (tmp_path / "data").mkdir()
    (tmp_path / "results").mkdir()
    assert run_script(code, None, tmp_path / "results").returncode == 5
    assert run_script(code, tmp_path / "data", tmp_path / "nowhere").returncode == 5
    failed = run_script(code, tmp_path / "data", tmp_path / "results")
    assert failed.returncode == 1
    assert "Training failed with exit code 4" in failed.stdout
    errors = [json.loads(line) for line in failed.stdout.splitlines() if line.startswith("{")]
    assert errors[-1]["event"] == "error" and errors[-1]["code"] == 4


def test_bad_data_exits_4_before_training(write, capsys, monkeypatch):
    monkeypatch.delenv("DATA_DIR", raising=False)
    path = write("bad.csv", "1,a,5\n2,b,x\n")
    assert train_ncf.main(["--data", str(path), "--epoch", "1"]) == 4
    out = capsys.readouterr().out
    assert '"event": "error"' in out and "line 2" in out and '"event": "start"' not in out


def test_bad_flag_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        train_ncf.main(["--data", "x", "--epoch", "0"])
    assert caught.value.code == 2


def test_training_command_is_a_shell_line_with_quoted_values(tmp_path):
    """The app quotes values in TRAINING_CMD: a data path with a space trains."""
    source = need(SHARED_DATA / "ml-latest-small/ratings.csv")
    data_dir, result_dir = tmp_path / "data_dir", tmp_path / "results"
    (data_dir / "my data").mkdir(parents=True)
    result_dir.mkdir()
    lines = source.read_text().splitlines(keepends=True)[:2001]
    (data_dir / "my data" / "my ratings.csv").write_text("".join(lines))
    code = copy_code(
        tmp_path,
        "python3 train_ncf.py --data 'my data/my ratings.csv' --delimiter ',' --epoch 1",
    )
    done = run_script(code, data_dir, result_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (result_dir / "model_training_output.tar.gz").exists()
