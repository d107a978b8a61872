"""Measure this trainer against a plain PyTorch NeuMF loop on the same data, in one run.

    python benchmark.py --data ../../shared/data/ml-100k/u.data --delimiter '\\t' --batch_size 2048
    python benchmark.py --generate 20000000   # reading and holding a long-tail file

Each measurement runs in its own subprocess so peak memory (max RSS) is its own.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_trainer(args: argparse.Namespace) -> dict:
    """This trainer: its reader, its split, its training loop (sampling and validation included)."""
    import torch

    from maxrec_trainer.dialect import parse_delimiter
    from maxrec_trainer.reader import read_interactions
    from maxrec_trainer.split import leave_last_out
    from maxrec_trainer.train import Hyperparameters, fit

    if args.device == "cpu" and args.batch_size <= 8192:
        torch.set_num_threads(1)  # as train_ncf.py does
    tick = time.perf_counter()
    data = read_interactions(Path(args.data), parse_delimiter(args.delimiter), {})
    read_seconds = time.perf_counter() - tick
    split = leave_last_out(data, 42)
    hp = Hyperparameters(
        epochs=args.epochs, batch_size=args.batch_size, factors=args.factors, patience=args.epochs
    )
    history = fit(split, hp, args.device).history
    epoch_seconds = float(np.median([h["seconds"] for h in history]))
    samples = len(split.train_users) * (1 + hp.negatives)
    return {
        "name": "maxrec trainer",
        "read_seconds": read_seconds,
        "epoch_seconds": epoch_seconds,
        "samples_per_second": samples / epoch_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_reference(args: argparse.Namespace) -> dict:
    """A straightforward NeuMF: pandas, four nn.Embedding, autograd, torch.optim.Adam,
    a plain loop over precomputed batches (negatives drawn once, no validation)."""
    import pandas as pd
    import torch
    from torch import nn

    if args.role == "reference-1-thread":
        torch.set_num_threads(1)
    tick = time.perf_counter()
    sep = {"\\t": "\t", "tab": "\t"}.get(args.delimiter or ",", args.delimiter or ",")
    frame = pd.read_csv(
        args.data, sep=sep, header=None, engine="python" if len(sep) > 1 else "c", dtype=str
    )
    users = torch.from_numpy(pd.factorize(frame[0])[0])
    items = torch.from_numpy(pd.factorize(frame[1])[0])
    read_seconds = time.perf_counter() - tick
    n_users, n_items, f = int(users.max()) + 1, int(items.max()) + 1, args.factors

    class PlainNeuMF(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gmf_user, self.gmf_item = nn.Embedding(n_users, f), nn.Embedding(n_items, f)
            # The same model as the trainer's: the paper's tower, 4f -> 2f -> f.
            self.mlp_user = nn.Embedding(n_users, 2 * f)
            self.mlp_item = nn.Embedding(n_items, 2 * f)
            self.mlp = nn.Sequential(
                nn.Linear(4 * f, 2 * f), nn.ReLU(), nn.Linear(2 * f, f), nn.ReLU()
            )
            self.out = nn.Linear(2 * f, 1, bias=False)

        def forward(self, u: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
            gmf = self.gmf_user(u) * self.gmf_item(i)
            mlp = self.mlp(torch.cat([self.mlp_user(u), self.mlp_item(i)], dim=1))
            return self.out(torch.cat([gmf, mlp], dim=1)).squeeze(1)

    model = PlainNeuMF().to(args.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    neg = 4
    all_users = torch.cat([users, users.repeat(neg)])
    all_items = torch.cat([items, torch.randint(0, n_items, (len(items) * neg,))])
    labels = torch.cat([torch.ones(len(users)), torch.zeros(len(users) * neg)])
    times = []
    for _ in range(args.epochs):
        order = torch.randperm(len(all_users))
        batches = [
            (all_users[b].to(args.device), all_items[b].to(args.device), labels[b].to(args.device))
            for b in order.split(args.batch_size)
        ]
        tick = time.perf_counter()
        for u, i, y in batches:
            optimizer.zero_grad()
            loss = loss_fn(model(u, i), y)
            loss.backward()
            optimizer.step()
        if args.device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - tick)
    epoch_seconds = float(np.median(times))
    threads = "1 thread" if args.role == "reference-1-thread" else "default threads"
    return {
        "name": f"plain reference loop ({threads})",
        "read_seconds": read_seconds,
        "epoch_seconds": epoch_seconds,
        "samples_per_second": len(all_users) / epoch_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_holding(args: argparse.Namespace) -> dict:
    """Read, map and split the whole file, and draw one epoch of negatives: the data's peak."""
    from maxrec_trainer.dialect import parse_delimiter
    from maxrec_trainer.reader import read_interactions
    from maxrec_trainer.sampling import sample_negatives
    from maxrec_trainer.split import leave_last_out

    tick = time.perf_counter()
    data = read_interactions(Path(args.data), parse_delimiter(args.delimiter), {})
    read_seconds = time.perf_counter() - tick
    split = leave_last_out(data, 42)
    sample_negatives(
        np.repeat(split.train_users, 4), split.n_items, split.seen, np.random.default_rng(0)
    )
    return {
        "name": f"read + split + 1 epoch of negatives ({len(data):,} lines)",
        "read_seconds": read_seconds,
        "epoch_seconds": float("nan"),
        "samples_per_second": float("nan"),
        "peak_rss_mb": peak_rss_mb(),
        "users": len(data.user_ids),
        "items": len(data.item_ids),
    }


def generate(n: int, folder: Path) -> Path:
    """A synthetic long-tail file: a few users and items have most interactions."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(0)
    n_users, n_items = max(10, n // 40), max(10, n // 150)
    path = folder / f"synthetic-{n}.csv"
    user_label, item_label = rng.permutation(n_users), rng.permutation(n_items)
    with pacsv.CSVWriter(
        path,
        pa.schema(
            [
                ("user", pa.int64()),
                ("item", pa.int64()),
                ("rating", pa.int8()),
                ("timestamp", pa.int64()),
            ]
        ),
    ) as w:
        for start in range(0, n, 2_000_000):
            size = min(2_000_000, n - start)
            # u ** 3 puts most draws near 0: a long tail over ids.
            users = user_label[(n_users * rng.random(size) ** 3).astype(np.int64)]
            items = item_label[(n_items * rng.random(size) ** 3).astype(np.int64)]
            w.write_table(
                pa.table(
                    {
                        "user": users,
                        "item": items,
                        "rating": rng.integers(1, 6, size, dtype=np.int8),
                        "timestamp": rng.integers(9e8, 1.6e9, size),
                    }
                )
            )
    return path


def _num(value: float, spec: str) -> str:
    return "-" if value != value else format(value, spec)  # NaN: not measured


def table(rows: list[dict]) -> str:
    lines = ["| run | read s | s / epoch | samples / s | peak RSS MB |", "|---|---|---|---|---|"]
    for r in rows:
        sps = r["samples_per_second"]
        lines.append(
            f"| {r['name']} | {r['read_seconds']:.2f} | {_num(r['epoch_seconds'], '.2f')} | "
            f"{'-' if sps != sps else f'{sps:,.0f}'} | {r['peak_rss_mb']:,.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data", help="interactions file")
    p.add_argument("--delimiter", default=None)
    p.add_argument("--batch_size", type=int, default=2048)
    p.add_argument("--factors", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument(
        "--generate", type=int, default=0, help="write and hold a synthetic file of N lines"
    )
    p.add_argument(
        "--role",
        choices=["trainer", "reference", "reference-1-thread", "hold"],
        help=argparse.SUPPRESS,
    )
    args = p.parse_args()

    if args.role:
        measure = {
            "trainer": measure_trainer,
            "reference": measure_reference,
            "reference-1-thread": measure_reference,
            "hold": measure_holding,
        }[args.role]
        print(json.dumps(measure(args)))
        return 0

    flags = [
        "--batch_size",
        str(args.batch_size),
        "--factors",
        str(args.factors),
        "--epochs",
        str(args.epochs),
        "--device",
        args.device,
    ]
    with tempfile.TemporaryDirectory() as temp:
        if args.generate:
            tick = time.perf_counter()
            data, roles = generate(args.generate, Path(temp)), ["hold"]
            print(f"Wrote {args.generate:,} lines in {time.perf_counter() - tick:.0f}s")
        elif args.data:
            data, roles = Path(args.data), ["reference", "reference-1-thread", "trainer"]
        else:
            p.error("pass --data FILE or --generate N")
        if args.delimiter:
            flags += ["--delimiter", args.delimiter]
        rows = []
        for role in roles:
            out = subprocess.run(
                [sys.executable, __file__, "--role", role, "--data", str(data), *flags],
                check=True,
                capture_output=True,
                text=True,
                cwd=HERE,
            )
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(table(rows))
    if len(rows) == 3:
        for reference in rows[:2]:
            ratio = rows[2]["samples_per_second"] / reference["samples_per_second"]
            print(f"Trainer / {reference['name']}: {ratio:.2f}x at batch {args.batch_size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
