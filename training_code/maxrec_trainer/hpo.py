"""Hyperparameter search with Optuna: a fixed number of trials, each judged on validation
HR@10 + NDCG@10 (NDCG alone traded HR@10 away on ml-100k), with a median pruner stopping
trials that fall behind after a few epochs."""

import time
from dataclasses import replace

import optuna

from .events import emit, say
from .split import Split
from .train import Hyperparameters, fit


def search(split: Split, base: Hyperparameters, device: str, trials: int) -> Hyperparameters:
    """Run `trials` trials and return the best trial's hyperparameters."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=base.seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2),
    )
    max_epochs = max(1, base.epochs)
    chosen: dict[int, Hyperparameters] = {}
    for number in range(1, trials + 1):
        trial = study.ask()
        hp = replace(
            base,
            learning_rate=trial.suggest_float("learning_rate", 5e-4, 2e-2, log=True),
            factors=trial.suggest_categorical("factors", [8, 16, 32, 64]),
            epochs=trial.suggest_int("epochs", min(5, max_epochs), max_epochs),
            batch_size=trial.suggest_categorical("batch_size", [64, 128, 256, 512, 1024]),
            negatives=trial.suggest_int("negatives", 2, 8),
        )
        chosen[trial.number] = hp
        params = {k: trial.params[k] for k in sorted(trial.params)}
        best = {"val_hr": float("nan"), "val_ndcg": float("nan")}

        def report(
            record: dict, trial: optuna.Trial = trial, number: int = number, best: dict = best
        ) -> None:
            emit("epoch", **record, trial=number)
            if not record["val_ndcg"] <= best["val_ndcg"]:  # also true while best is NaN
                best.update(val_hr=record["val_hr"], val_ndcg=record["val_ndcg"])
            trial.report(record["val_hr"] + record["val_ndcg"], record["epoch"])
            if trial.should_prune():
                raise optuna.TrialPruned()

        started = time.perf_counter()
        state = "complete"
        try:
            result = fit(split, hp, device, on_epoch=report)
            study.tell(trial, result.val_hr + result.val_ndcg)
        except optuna.TrialPruned:
            state = "pruned"
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        except (RuntimeError, ValueError) as error:  # e.g. out of memory at a large batch
            state = "failed"
            say(f"Trial {number} failed: {error}")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        seconds = time.perf_counter() - started
        emit(
            "trial",
            trial=number,
            trials=trials,
            params=params,
            val_hr=best["val_hr"],
            val_ndcg=best["val_ndcg"],
            state=state,
            seconds=seconds,
        )
        say(
            f"Trial {number}/{trials} {state}: val HR@10 {best['val_hr']:.4f}  "
            f"NDCG@10 {best['val_ndcg']:.4f}  {params}"
        )

    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        raise RuntimeError("every HPO trial failed or was pruned; run without --hpo")
    return chosen[study.best_trial.number]
