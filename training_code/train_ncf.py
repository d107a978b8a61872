"""Train NeuMF on an interactions file and write trained_model/ (see README.md).

Reads top to bottom as the job runs: load, split, build and train, evaluate, save.
Exit codes: 0 ok, 1 training failed, 2 bad flags, 4 a problem with the data file.
"""

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

import torch

from maxrec_trainer.dialect import DataError, parse_delimiter
from maxrec_trainer.events import emit, say
from maxrec_trainer.export import save_artifacts
from maxrec_trainer.hpo import search
from maxrec_trainer.model import mlp_layers
from maxrec_trainer.reader import Interactions, keep_positives, read_interactions
from maxrec_trainer.split import EVAL_NEGATIVES, Split, leave_last_out
from maxrec_trainer.train import PRETRAIN_DEFAULT, Hyperparameters, evaluate, fit

PROTOCOL = (
    "leave-last-out, 1 test item vs 99 sampled negatives, HR@10/NDCG@10: each user's latest "
    "interaction is the test item and the one before it the validation item, both ranked "
    "against the same 99 items the user never touched; epochs and HPO chosen on validation "
    "NDCG@10 only, then the model is retrained on training + validation interactions"
)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"train_ncf.py: {message} (see --help)", file=sys.stderr)
        print(f"Error: bad flags: {message}")
        sys.exit(2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = Parser(description="Train a NeuMF recommender on a file of user-item interactions.")
    p.add_argument(
        "--data", required=True, help="interactions file, relative to $DATA_DIR or absolute"
    )
    p.add_argument("--epoch", type=int, default=100, help="maximum number of epochs")
    p.add_argument("--batch_size", type=int, default=128)
    p.add_argument("--factors", type=int, default=8, help="GMF embedding size")
    p.add_argument("--learning_rate", type=float, default=5e-3)
    p.add_argument(
        "--delimiter",
        default=None,
        help="',' (the default when it splits the lines), '\\t' or tab, ';', '::', ...; "
        "sniffed when not given",
    )
    p.add_argument("--hpo", action="store_true", help="search hyperparameters with Optuna first")
    p.add_argument("--hpo_trials", type=int, default=12)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--negatives", type=int, default=4, help="sampled negatives per positive")
    p.add_argument(
        "--l2",
        type=float,
        default=0.02,
        help="L2 regularisation of each sample's user and item embeddings (0: none)",
    )
    p.add_argument(
        "--patience",
        type=int,
        default=5,
        help="stop after this many epochs without a better validation NDCG@10",
    )
    p.add_argument(
        "--pretrain_epochs",
        type=int,
        default=None,
        help="epochs training the GMF and the MLP apart before NeuMF starts from them, as in "
        f"the NCF paper (0: none; default {PRETRAIN_DEFAULT}, or none when --epoch is under "
        f"{2 * PRETRAIN_DEFAULT}, so that a short run stays short)",
    )
    p.add_argument(
        "--refit",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after choosing the epochs on validation, retrain on training + validation "
        "interactions for that many epochs (default: on)",
    )
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    for role in ("user", "item", "rating", "time"):
        p.add_argument(
            f"--{role}_col",
            default=None,
            help=f"{role} column, by header name or 0-based position"
            + ("; 'none' if there is none" if role in ("rating", "time") else ""),
        )
    p.add_argument(
        "--min_rating",
        type=float,
        default=None,
        help="only ratings >= this count as interactions (default: all do)",
    )
    p.add_argument(
        "--output", default=None, help="artifact folder (default: $RESULT_DIR/model/trained_model)"
    )
    args = p.parse_args(argv)
    try:
        args.delimiter = parse_delimiter(args.delimiter)
    except ValueError as error:
        p.error(str(error))
    for flag in ("epoch", "batch_size", "factors", "negatives", "patience", "hpo_trials"):
        if getattr(args, flag) < 1:
            p.error(f"--{flag} must be at least 1")
    if args.pretrain_epochs is None:
        args.pretrain_epochs = PRETRAIN_DEFAULT if args.epoch >= 2 * PRETRAIN_DEFAULT else 0
    if args.pretrain_epochs < 0:
        p.error("--pretrain_epochs must be at least 0")
    if not args.learning_rate > 0:
        p.error("--learning_rate must be positive")
    if not args.l2 >= 0 or args.l2 == float("inf"):
        p.error("--l2 must be 0 or more")
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: no CUDA device is visible to PyTorch; use --device cpu")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except DataError as error:
        say(f"Error: {error}")
        emit("error", code=4, message=str(error))
        return 4
    except Exception as error:  # noqa: BLE001 - one line for the log, the trace on request
        if os.environ.get("MAXREC_DEBUG"):
            traceback.print_exc()
        message = f"training failed: {type(error).__name__}: {error}"
        say(f"Error: {message} (set MAXREC_DEBUG=1 for the traceback)")
        emit("error", code=1, message=message)
        return 1


def run(args: argparse.Namespace) -> int:
    # Small batches run fastest on one thread; the per-op overhead dominates.
    if args.device == "cpu" and args.batch_size <= 8192:
        torch.set_num_threads(1)
    hp = Hyperparameters(
        epochs=args.epoch,
        batch_size=args.batch_size,
        factors=args.factors,
        learning_rate=args.learning_rate,
        negatives=args.negatives,
        patience=args.patience,
        seed=args.seed,
        pretrain_epochs=args.pretrain_epochs,
        l2=args.l2,
    )

    # Load: every line of the file, ids as strings, duplicates counted once.
    data_dir = os.environ.get("DATA_DIR", "")
    path = Path(args.data) if os.path.isabs(args.data) else Path(data_dir or ".") / args.data
    tick = time.perf_counter()
    columns = {
        "user": args.user_col,
        "item": args.item_col,
        "rating": args.rating_col,
        "time": args.time_col,
    }
    data = read_interactions(path, args.delimiter, columns)
    data = keep_positives(data, args.min_rating)
    read_seconds = time.perf_counter() - tick
    describe(data, read_seconds)

    # Split: the last two interactions of each user are held out.
    split = leave_last_out(data, args.seed)
    short = int((split.counts[split.eval_users] > split.n_items - EVAL_NEGATIVES).sum())
    if short:
        say(
            f"Warning: {short} of {len(split.eval_users)} evaluated users have fewer than "
            f"{EVAL_NEGATIVES} items they never touched (of {split.n_items} items), so their "
            "held-out item is ranked against fewer distinct ones: HR@10 and NDCG@10 come out "
            "higher than on a larger catalogue and are not comparable with other data sets."
        )
    emit(
        "start",
        users=split.n_users,
        items=split.n_items,
        interactions=len(data),
        train_interactions=len(split.train_users),
        evaluated_users=len(split.eval_users),
        single_interaction_users=split.single_interaction_users,
        duplicates=data.duplicates,
        epochs=hp.epochs,
        hpo=args.hpo,
        trials=args.hpo_trials if args.hpo else 0,
        device=args.device,
        read_seconds=read_seconds,
    )

    # Build and train: optionally search first, then train with the chosen values.
    search_seconds = 0.0
    if args.hpo:
        say(f"Searching hyperparameters: {args.hpo_trials} trials, judged on validation NDCG@10")
        tick = time.perf_counter()
        hp = search(split, hp, args.device, args.hpo_trials)
        search_seconds = time.perf_counter() - tick
        say(
            f"Best: {hp.as_dict()} after {search_seconds:.0f}s of search; "
            "retraining with these values"
        )
    result = fit(split, hp, args.device, on_epoch=report_epoch, on_pretrain_epoch=report_pretrain)
    final = result
    if args.refit:
        say(
            f"Best validation NDCG@10 at epoch {result.best_epoch}: retraining on training + "
            f"validation interactions for {result.best_epoch} epochs"
            + (f" after {hp.pretrain_epochs} of pretraining" if hp.pretrain_epochs else "")
        )
        final = fit(
            split,
            hp,
            args.device,
            on_epoch=report_refit,
            refit_epochs=result.best_epoch,
            on_pretrain_epoch=report_pretrain,
        )

    # Evaluate: the test items, once, never seen in training or in any choice.
    test_hr, test_ndcg = evaluate(
        final.model.to(args.device),
        torch.from_numpy(split.eval_users).to(args.device),
        torch.from_numpy(split.candidates("test")).to(args.device),
    )
    train_seconds = result.seconds + (final.seconds if final is not result else 0.0)
    say(
        f"Test HR@10 {test_hr:.4f}  NDCG@10 {test_ndcg:.4f}  (validation HR@10 "
        f"{result.val_hr:.4f} NDCG@10 {result.val_ndcg:.4f} at epoch {result.best_epoch} "
        f"of {len(result.history)} after {hp.pretrain_epochs} of pretraining; "
        f"{train_seconds:.0f}s of training)"
    )

    # Save: model.onnx, id maps, parameters and metrics.
    output = Path(
        args.output or Path(os.environ.get("RESULT_DIR") or ".") / "model" / "trained_model"
    )
    used = parameters(args, hp, data, split) | {"trained_epochs": final.epochs_run}
    scores = metrics(data, split, result, test_hr, test_ndcg) | {
        "train_seconds": train_seconds,
        "search_seconds": search_seconds,
        "refit_epochs": final.epochs_run if final is not result else 0,
    }
    # Every item each user has in the file, for serving's exclude_seen: the held-out
    # validation and test items too, which a user has had all the same.
    save_artifacts(
        output, final.model, data.user_ids, data.item_ids, used, scores, (data.users, data.items)
    )
    emit(
        "end",
        test_hr=test_hr,
        test_ndcg=test_ndcg,
        val_hr=result.val_hr,
        val_ndcg=result.val_ndcg,
        epochs_run=result.epochs_run,
        train_seconds=train_seconds,
        search_seconds=search_seconds,
    )
    say(f"Saved the model to {output}")
    return 0


def describe(data: Interactions, seconds: float) -> None:
    d = data.dialect
    columns = ", ".join(f"{role}={d.names[pos]}" for role, pos in d.roles.items())
    say(
        f"Read {data.path}: {len(data)} interactions, {len(data.user_ids)} users, "
        f"{len(data.item_ids)} items in {seconds:.1f}s (delimiter {d.delimiter!r}, "
        f"{'header' if d.header else 'no header'}, {d.encoding}; {columns})"
    )
    for note in d.notes:
        say(f"Note: {note}")
    if data.duplicates:
        say(f"Note: {data.duplicates} repeated (user, item) lines counted once (the latest kept)")


def report_epoch(record: dict) -> None:
    emit("epoch", **record)
    say(
        f"Epoch {record['epoch']}/{record['epochs']}  loss {record['loss']:.4f}  "
        f"val HR@10 {record['val_hr']:.4f}  NDCG@10 {record['val_ndcg']:.4f}  "
        f"{record['seconds']:.1f}s  {record['samples_per_second'] / 1e3:.0f}k samples/s"
    )


def report_pretrain(record: dict) -> None:
    # A phase event, not an epoch event: there is no NeuMF to validate yet.
    emit_phase("pretrain", record)
    say(
        f"Pretraining GMF and MLP epoch {record['epoch']}/{record['epochs']}  "
        f"loss {record['loss']:.4f}  {record['seconds']:.1f}s  "
        f"{record['samples_per_second'] / 1e3:.0f}k samples/s"
    )


def report_refit(record: dict) -> None:
    # A phase event, not an epoch event: the refit trains on the validation items too.
    emit_phase("refit", record)
    say(
        f"Refit epoch {record['epoch']}/{record['epochs']}  loss {record['loss']:.4f}  "
        f"{record['seconds']:.1f}s  {record['samples_per_second'] / 1e3:.0f}k samples/s"
    )


def emit_phase(phase: str, record: dict) -> None:
    emit(
        "phase",
        phase=phase,
        epoch=record["epoch"],
        epochs=record["epochs"],
        loss=record["loss"],
        seconds=record["seconds"],
    )


def parameters(
    args: argparse.Namespace, hp: Hyperparameters, data: Interactions, split: Split
) -> dict:
    d = data.dialect
    return {
        **hp.as_dict(),
        "model": "NeuMF",
        "mlp_layers": mlp_layers(hp.factors),
        "hpo": args.hpo,
        "n_users": split.n_users,
        "n_items": split.n_items,
        "delimiter": d.delimiter,
        "header": d.header,
        "encoding": d.encoding,
        "columns": {role: d.names[pos] for role, pos in d.roles.items()},
        "min_rating": args.min_rating,
        "device": args.device,
    }


def metrics(data: Interactions, split: Split, result, test_hr: float, test_ndcg: float) -> dict:
    return {
        "hit_rate_at_10": test_hr,
        "ndcg_at_10": test_ndcg,
        "val_hit_rate_at_10": result.val_hr,
        "val_ndcg_at_10": result.val_ndcg,
        "protocol": PROTOCOL,
        "users": split.n_users,
        "items": split.n_items,
        "interactions": len(data),
        "train_interactions": len(split.train_users),
        "evaluated_users": len(split.eval_users),
        "single_interaction_users": split.single_interaction_users,
        "duplicates": data.duplicates,
        "epochs_run": result.epochs_run,
        "pretrain_epochs": result.epochs_run - len(result.history),
        "best_epoch": result.best_epoch,
        "train_seconds": result.seconds,
        "history": result.history,
    }


if __name__ == "__main__":
    sys.exit(main())
