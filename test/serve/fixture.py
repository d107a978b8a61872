"""What the served model must answer, computed the trainer's way.

    python test/serve/fixture.py RATINGS MODEL_DIR OUT_JSON

Scores every item for every user with the trainer's own NeuMF module (weights read
from model.onnx, see scripts/reference_serve.py), and lists each user's items as the
trainer reads the file: all of them, held-out ones included, are "seen"; the held-out
ones (by redoing the trainer's split: same reader, same seed) are listed apart.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "training_code"))
sys.path.insert(0, str(ROOT / "scripts"))

from maxrec_trainer.reader import keep_positives, read_interactions  # noqa: E402
from maxrec_trainer.split import leave_last_out  # noqa: E402
from reference_serve import load_model  # noqa: E402

SEED = 42  # train_ncf.py's default


def main(ratings: str, model_dir: str, out: str) -> None:
    data = keep_positives(
        read_interactions(
            Path(ratings), None, {"user": None, "item": None, "rating": None, "time": None}
        ),
        None,
    )
    split = leave_last_out(data, SEED)
    seen_file = Path(model_dir) / "seen_items.bin"
    trainer_wrote_seen = seen_file.exists()
    metrics = json.loads((Path(model_dir) / "metrics.json").read_text())
    refit = metrics.get("refit_epochs", 0) > 0

    model = load_model(model_dir)
    assert model.item_ids == list(data.item_ids), "items.json is not in the trainer's order"
    users = {}
    for index, user in enumerate(data.user_ids):
        held_out = list(split.test_items[split.eval_users == index])
        if not refit:
            held_out += list(split.val_items[split.eval_users == index])
        users[user] = {
            "scores": model.scores(user).tolist(),
            "seen": sorted({data.item_ids[i] for i in data.items[data.users == index]}),
            "held_out": sorted(data.item_ids[i] for i in held_out),
        }
    expected = {"items": model.item_ids, "users": users, "trainer_wrote_seen": trainer_wrote_seen}
    Path(out).write_text(json.dumps(expected))


if __name__ == "__main__":
    main(*sys.argv[1:4])
