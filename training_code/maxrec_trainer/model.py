"""NeuMF (He et al., 2017): a GMF part and an MLP part, concatenated into one logit."""

import torch
from torch import nn
from torch.nn import functional as F

MLP_EMBEDDING = 8  # per side; the MLP then runs 16 -> 8 -> 4, as in the original


class NeuMF(nn.Module):
    def __init__(self, n_users: int, n_items: int, factors: int):
        super().__init__()
        self.n_users, self.n_items, self.factors = n_users, n_items, factors
        # One table for users and items, GMF and MLP columns side by side: fewer
        # tensors for the optimizer to step, fewer lookups per batch.
        width = factors + MLP_EMBEDDING
        self.embedding = nn.Parameter(torch.empty(n_users + n_items, width))
        self.hidden1 = nn.Linear(2 * MLP_EMBEDDING, 8)
        self.hidden2 = nn.Linear(8, 4)
        self.output = nn.Linear(factors + 4, 1, bias=False)
        # The original used sd 0.01; 0.1 reaches a better HR@10 on ml-100k in 20 epochs.
        nn.init.trunc_normal_(self.embedding, std=0.1, a=-0.2, b=0.2)
        for layer in (self.hidden1, self.hidden2, self.output):
            nn.init.xavier_uniform_(layer.weight)
        for layer in (self.hidden1, self.hidden2):
            nn.init.zeros_(layer.bias)

    def forward(self, user: torch.Tensor, item: torch.Tensor) -> torch.Tensor:
        """Logits (B,) for user indices (B,) and item indices (B,)."""
        f = self.factors
        u = F.embedding(user, self.embedding)  # (B, f + 8)
        i = F.embedding(item + self.n_users, self.embedding)  # (B, f + 8)
        gmf = u[:, :f] * i[:, :f]  # (B, f)
        mlp = torch.cat((u[:, f:], i[:, f:]), dim=1)  # (B, 16)
        mlp = F.relu(self.hidden2(F.relu(self.hidden1(mlp))))  # (B, 4)
        return self.output(torch.cat((gmf, mlp), dim=1)).squeeze(1)


class Scorer(nn.Module):
    """What gets exported: probabilities in [0, 1] for (user, item) index pairs."""

    def __init__(self, model: NeuMF):
        super().__init__()
        self.model = model

    def forward(self, user: torch.Tensor, item: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.model(user, item))
