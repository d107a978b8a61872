"""One NeuMF training step with hand-derived gradients and Adam on one flat buffer.

Autograd's generic embedding backward and the optimizer's per-tensor bookkeeping
cost more than the arithmetic at these sizes on a CPU; this does the same maths
(BCE-with-logits loss, Adam with PyTorch's defaults) in about half the time.
tests/test_training.py checks it against autograd and torch.optim.Adam.
"""

import torch

from .model import NeuMF

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


class AdamStep:
    """Trains `model` in place; its parameters become views into one flat buffer."""

    def __init__(self, model: NeuMF, learning_rate: float):
        self.model, self.lr, self.t = model, learning_rate, 0
        # Pretraining (the paper's GMF and MLP trained apart): the two halves of the output
        # layer make two logits, each with its own loss. Their parameters are disjoint and
        # Adam works coordinate by coordinate, so this is exactly training a GMF and an MLP
        # side by side on the same batches.
        self.pretrain = False
        # L2 on each sample's user and item rows, (l2 / 2) * |row|^2 added to the mean loss
        # per occurrence: a row is pulled to 0 as often as it is trained.
        self.l2 = 0.0
        params = list(model.parameters())
        total = sum(p.numel() for p in params)
        device = params[0].device
        self.flat = torch.empty(total, device=device)
        self.grad = torch.zeros(total, device=device)
        self.m = torch.zeros(total, device=device)
        self.v = torch.zeros(total, device=device)
        self.steps = torch.zeros((), device=device)  # Adam's t, as the fused kernel takes it
        views, grads, at = [], [], 0
        for p in params:
            n = p.numel()
            self.flat[at : at + n].copy_(p.detach().reshape(-1))
            p.data = self.flat[at : at + n].view_as(p)
            views.append(p.data)
            grads.append(self.grad[at : at + n].view_as(p))
            at += n
        self.buffers: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        by_name = dict(zip((name for name, _ in model.named_parameters()), grads))
        self.g_emb, self.g_out = by_name["embedding"], by_name["output.weight"]
        self.g_hidden = [
            (by_name[f"hidden.{k}.weight"], by_name[f"hidden.{k}.bias"])
            for k in range(len(model.hidden))
        ]

    def _buffers(self, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        if batch not in self.buffers:
            width = self.model.embedding.shape[1]
            device = self.flat.device
            self.buffers[batch] = (
                torch.empty(2 * batch, dtype=torch.int64, device=device),
                torch.empty(2 * batch, width, device=device),
            )
        return self.buffers[batch]

    @torch.no_grad()
    def __call__(self, user: torch.Tensor, item: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        """One step on a batch; returns the summed (not mean) loss as a 0-d tensor (while
        pretraining, the mean of the GMF's and the MLP's)."""
        m = self.model
        f, e, emb, batch = m.factors, m.mlp_embedding, m.embedding, len(label)
        hidden = [(layer.weight, layer.bias) for layer in m.hidden]
        wo = m.output.weight
        # Users and items share one table (items after users): one lookup, one scatter.
        rows, d_rows = self._buffers(batch)  # (2B,), (2B, f + e)
        rows[:batch] = user
        torch.add(item, m.n_users, out=rows[batch:])
        emb_rows = emb.index_select(0, rows)  # (2B, f + e)
        u, v = emb_rows[:batch], emb_rows[batch:]
        gmf = u[:, :f] * v[:, :f]  # (B, f)
        acts = [torch.cat((u[:, f:], v[:, f:]), dim=1)]  # (B, 2e), then each layer's output
        for w, b in hidden:
            acts.append(torch.addmm(b, acts[-1], w.t()).relu_())  # ... -> (B, f)
        z = torch.cat((gmf, acts[-1]), dim=1)  # (B, 2f)
        if self.pretrain:
            zw = z * wo  # (B, 2f)
            logit = torch.stack((zw[:, :f].sum(1), zw[:, f:].sum(1)), dim=1)  # (B, 2): GMF, MLP
            target = label.unsqueeze(1).expand(-1, 2)
        else:
            logit = z @ wo.t()  # (B, 1)
            target = label.unsqueeze(1)
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        loss = bce(logit, target, reduction="sum") / logit.shape[1]

        # d(mean loss)/d(logit) = (sigmoid(logit) - label) / B, for each logit
        d_logit = logit.sigmoid_().sub_(target).mul_(1.0 / batch)  # (B, 1) or (B, 2)
        if self.pretrain:
            d_logit = d_logit.repeat_interleave(f, dim=1)  # (B, 2f): each half's own logit
            torch.sum(d_logit * z, 0, keepdim=True, out=self.g_out)
        else:
            torch.mm(d_logit.t(), z, out=self.g_out)
        d_z = d_logit * wo  # (B, 2f)
        d_h = d_z[:, f:]
        for k in range(len(hidden) - 1, -1, -1):
            d_h = torch.ops.aten.threshold_backward(d_h, acts[k + 1], 0)  # ReLU'
            g_w, g_b = self.g_hidden[k]
            torch.mm(d_h.t(), acts[k], out=g_w)
            torch.sum(d_h, 0, out=g_b)
            d_h = d_h @ hidden[k][0]  # d(layer input)
        d_gmf = d_z[:, :f]
        torch.mul(d_gmf, v[:, :f], out=d_rows[:batch, :f])
        torch.mul(d_gmf, u[:, :f], out=d_rows[batch:, :f])
        d_rows[:batch, f:] = d_h[:, :e]
        d_rows[batch:, f:] = d_h[:, e:]
        if self.l2:
            d_rows.add_(emb_rows, alpha=self.l2 / batch)
        self.g_emb.zero_()
        self.g_emb.index_add_(0, rows, d_rows)
        self._adam()
        return loss

    def start_neumf(self, alpha: float = 0.5) -> None:
        """End pretraining: NeuMF's output layer becomes the GMF's and the MLP's, weighted
        alpha and 1 - alpha (the paper's initialisation), and Adam starts afresh."""
        self.pretrain = False
        f = self.model.factors
        wo = self.model.output.weight.data
        wo[:, :f] *= alpha
        wo[:, f:] *= 1 - alpha
        self.m.zero_()
        self.v.zero_()
        self.t = 0

    def _adam(self) -> None:
        # torch.optim.Adam(fused=True)'s kernel: one pass over the buffer instead of the
        # six of the unfused update (the update was a sixth of a step at 2048 a batch).
        self.t += 1
        self.steps.fill_(self.t)  # the kernel reads t from a tensor
        torch._fused_adam_(
            [self.flat],
            [self.grad],
            [self.m],
            [self.v],
            [],
            [self.steps],
            amsgrad=False,
            lr=self.lr,
            beta1=BETA1,
            beta2=BETA2,
            weight_decay=0.0,
            eps=EPS,
            maximize=False,
        )
