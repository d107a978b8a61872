"""HR@K and NDCG@K for one held-out item ranked among sampled negatives."""

import torch


def target_ranks(scores: torch.Tensor) -> torch.Tensor:
    """0-based rank of column 0 (the held-out item) in each row of (users, 1 + negatives) scores.

    Ties count against the held-out item, so a model that scores everything the
    same gets no credit.
    """
    return (scores[:, 1:] >= scores[:, :1]).sum(dim=1)


def hit_rate_and_ndcg(ranks: torch.Tensor, k: int = 10) -> tuple[float, float]:
    """Mean HR@k and NDCG@k over users, from 0-based ranks of their held-out items."""
    if len(ranks) == 0:
        return float("nan"), float("nan")
    hits = ranks < k
    gains = torch.where(
        hits, 1.0 / torch.log2(ranks.double() + 2.0), torch.zeros((), dtype=torch.double)
    )
    return hits.double().mean().item(), gains.mean().item()
