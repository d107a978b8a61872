"""The reference service for scripts/bench-serve.mjs: a minimal Python HTTP service
scoring a trained_model/ folder with PyTorch, answering POST /model/predict as
`maxrec serve` does (query, form or JSON fields), with nothing done for speed beyond
scoring all items of a user in one batched call and torch.topk.

The folder holds only model.onnx, so the weights are read from its initializers
(onnx.numpy_helper) into the trainer's own NeuMF module (training_code/maxrec_trainer).

    python scripts/reference_serve.py MODEL_DIR [--port 0] [--threads N]

prints `listening on port N` once it answers. test/serve uses load_model() too, to
check the service's scores against the trainer's own model.
"""

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training_code"))
from maxrec_trainer.model import NeuMF, Scorer  # noqa: E402


class Model:
    def __init__(self, model_dir: Path):
        self.users: dict[str, int] = json.loads((model_dir / "users.json").read_text())
        items: dict[str, int] = json.loads((model_dir / "items.json").read_text())
        self.item_ids = [item for item, _ in sorted(items.items(), key=lambda kv: kv[1])]
        self.item_index = torch.tensor(sorted(items.values()), dtype=torch.int64)
        self.scorer = load_scorer(model_dir / "model.onnx", len(self.users), len(items))

    @torch.no_grad()
    def scores(self, user: str) -> torch.Tensor:
        """(n_items,) probabilities of every item for one user, in items.json order."""
        user_index = torch.full_like(self.item_index, self.users[user])
        return self.scorer(user_index, self.item_index)


def load_scorer(onnx_file: Path, n_users: int, n_items: int) -> Scorer:
    """The exported NeuMF's weights, by initializer name, in the trainer's module."""
    weights = {
        t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
        for t in onnx.load(str(onnx_file)).graph.initializer
    }
    parameters = json.loads((onnx_file.parent / "parameters.json").read_text())
    model = NeuMF(n_users, n_items, parameters["factors"])
    state = {k.removeprefix("model."): v for k, v in weights.items() if k.startswith("model.")}
    if "output.weight" not in state:
        # The exporter turns the bias-free output Linear into a MatMul with an
        # unnamed (inputs, 1) weight: the transpose of output.weight.
        (matmul,) = [v for k, v in weights.items() if not k.startswith("model.")]
        state["output.weight"] = matmul.T.contiguous()
    model.load_state_dict(state)
    return Scorer(model).eval()


def load_model(model_dir: str | Path) -> Model:
    return Model(Path(model_dir))


class Handler(BaseHTTPRequestHandler):
    model: Model
    protocol_version = "HTTP/1.1"  # keep-alive, as autocannon's connections expect

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path != "/model/predict":
            return self.answer(404, {"status": "error", "message": "not found"})
        fields = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if body:
            if self.headers.get("Content-Type", "").startswith("application/json"):
                fields.update(json.loads(body))
            else:
                fields.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
        user = str(fields.get("user_id", ""))
        try:
            n = int(fields.get("num_results", 5))
        except ValueError:
            n = 0
        if user not in self.model.users or n < 1:
            return self.answer(400, {"status": "error", "message": "bad user_id or num_results"})
        scores = self.model.scores(user)
        top = torch.topk(scores, min(n, len(scores)))
        predictions = [
            {"user": user, "item": self.model.item_ids[i], "prediction": s}
            for s, i in zip(top.values.tolist(), top.indices.tolist())
        ]
        self.answer(200, {"status": "ok", "predictions": predictions})

    def answer(self, status: int, value: dict) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # a line per request would measure the terminal, not the service


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # the load ending resets sockets


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_dir")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    Handler.model = load_model(args.model_dir)
    server = Server((args.host, args.port), Handler)
    print(f"listening on port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
