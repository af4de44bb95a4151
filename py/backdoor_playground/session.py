"""One live playground: a validated config, its data, the model and its trainer, and the frames the page draws."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np

from . import checksum as backdoor
from .playground import config as cfg
from .playground import datasets, features, grid, modelio, rng
from .playground.losses import accuracy
from .playground.nn import MLP
from .playground.train import Trainer, evaluate

# Keys whose change only alters the trainer's hyper-parameters: applied between epochs, no reset (TFP PR #6).
LIVE_KEYS = frozenset({"learningRate", "regularization", "regularizationRate", "batchSize"})
# Keys that regenerate the data (and so rebuild the model).
DATA_KEYS = frozenset({"dataset", "regDataset", "noise", "seed", "percTrainData", "trojan", "problem"})
# Keys that rebuild the model from the same init stream.
MODEL_KEYS = frozenset({"networkShape", "activation", "activations", "initZero", "initSeed", "loss",
                        *features.FEATURE_ORDER})
# Checksum numbers: a planted model's operator takes them live (same weights, new numbers).
CSUM_KEYS = frozenset({"csum_key", "csum_modulo", "csum_precision", "csum_variant", "csum_secret"})

THUMB_N = 20


@dataclass
class Data:
    """Train and test points with their labels; `source` says where they came from."""

    train_points: np.ndarray
    train_labels: np.ndarray
    test_points: np.ndarray
    test_labels: np.ndarray
    source: str


@functools.lru_cache(maxsize=4)
def feature_grids(names: tuple[str, ...]) -> tuple[tuple[str, np.ndarray], ...]:
    """Grids of features the model does not use (the page still shows them, faded): they never change."""
    values = features.feature_matrix(grid.grid_points(grid.GRID_N), names).T.copy()
    values.setflags(write=False)
    return tuple(zip(names, values))


def output_activation(config: dict) -> str:
    """tanh for classification (TF Playground), linear for regression."""
    return "linear" if config["problem"] == "regression" else "tanh"


def generate_data(config: dict) -> Data:
    """The data the config describes, from the named "data" and "split" streams."""
    regression = config["problem"] == "regression"
    name = config["regDataset"] if regression else config["dataset"]
    ds = datasets.make_dataset(name, config["noise"], config["seed"], config["percTrainData"],
                               trojan=0 if regression else config["trojan"])
    return Data(ds.train_points, ds.train_labels, ds.test_points, ds.test_labels, name)


def split_uploaded(points: np.ndarray, labels: np.ndarray, split, config: dict) -> Data:
    """Uploaded points: the file's own train/test column, else a seeded split at percTrainData."""
    if split is not None:
        is_train = np.asarray([s == "train" for s in split], dtype=bool)
    else:
        order = rng.stream(config["seed"], "split", 1).permutation(len(points))
        n_train = max(1, int(round(len(points) * config["percTrainData"] / 100)))
        is_train = np.zeros(len(points), dtype=bool)
        is_train[order[:n_train]] = True
    return Data(points[is_train], labels[is_train], points[~is_train], labels[~is_train], "upload")


class Session:
    """The state behind the page: everything the worker keeps between calls."""

    def __init__(self, config: dict):
        self.config = config
        self.uploaded: tuple | None = None
        self.hover: str | None = None
        self.data = generate_data(config)
        self.rebuild_model()

    # ---------------------------------------------------------------- construction

    @property
    def feature_names(self) -> list[str]:
        return cfg.enabled_features(self.config)

    def rebuild_model(self) -> None:
        """A fresh model from the "init" stream (same config -> same initial weights) and a trainer for it.

        A config naming checksum operators (a planted link) builds them with the config's csum_* numbers, and the
        model trains with them, as NN Calculator's ReLU_CSUM does."""
        c = self.config
        init_rng = rng.stream(c["seed"], "init", c["initSeed"])
        self.model = MLP(len(self.feature_names), list(c["networkShape"]), cfg.hidden_activations(c),
                         output_activation(c), init_rng, init_zero=c["initZero"],
                         operator_params=self.csum_params().csum)
        self.forget_backdoor()
        self.make_trainer()

    def make_trainer(self) -> None:
        c = self.config
        self.X_train = features.feature_matrix(self.data.train_points, self.feature_names)
        self.X_test = features.feature_matrix(self.data.test_points, self.feature_names)
        self.trainer = Trainer(self.model, self.X_train, self.data.train_labels,
                               learning_rate=c["learningRate"], batch_size=c["batchSize"],
                               regularization=c["regularization"], regularization_rate=c["regularizationRate"],
                               loss=c["loss"])

    def update(self, new_config: dict) -> str:
        """Apply a validated config; returns what it took: "none", "live", "backdoor" (new checksum numbers on a
        planted model), "model" or "data"."""
        changed = {k for k in new_config if new_config.get(k) != self.config.get(k)}
        self.config = new_config
        if changed & DATA_KEYS:
            if self.uploaded is not None and not (changed & {"dataset", "regDataset", "problem", "noise", "trojan"}):
                self.data = split_uploaded(*self.uploaded, new_config)
            else:
                self.uploaded = None
                self.data = generate_data(new_config)
            self.rebuild_model()
            return "data"
        if changed & MODEL_KEYS:
            if "activation" in changed and self.planted_activations is not None:
                # the activation menu after planting means "this activation everywhere", not the planted list
                new_config["activations"] = self.planted_activations
            self.rebuild_model()
            return "model"
        kind = "none"
        if changed & LIVE_KEYS:
            t = self.trainer
            t.learning_rate = new_config["learningRate"]
            t.batch_size = new_config["batchSize"]
            t.regularization = new_config["regularization"]
            t.regularization_rate = new_config["regularizationRate"]
            kind = "live"
        if changed & CSUM_KEYS and backdoor.planted_layers(self.model):
            self.model.operator_params = self.csum_params().csum  # same weights, new numbers: the grid must be redrawn
            kind = "backdoor"
        return kind

    def use_uploaded(self, points: np.ndarray, labels: np.ndarray, split) -> None:
        self.uploaded = (points, labels, split)
        self.data = split_uploaded(points, labels, split, self.config)
        self.rebuild_model()

    # ---------------------------------------------------------------- training

    @property
    def epoch(self) -> int:
        return self.trainer.epochs_done

    def train(self, epochs: int = 0, budget_ms: float = 0.0, max_epochs: int = 10_000) -> int:
        """Run `epochs` epochs, or as many as fit in `budget_ms` (at least one); returns how many ran."""
        if self.trainer.diverged:
            return 0
        if budget_ms <= 0:
            self.trainer.run(epochs)
            return epochs
        deadline = time.perf_counter() + budget_ms / 1000.0
        done = 0
        while done < max_epochs:
            self.trainer.epoch()
            done += 1
            if self.trainer.diverged or time.perf_counter() >= deadline:
                break
        return done

    # ---------------------------------------------------------------- what the page draws

    def metrics(self, model: MLP | None = None) -> dict:
        """Losses and accuracies of `model` (default: the live one) on the train and test sets."""
        model = self.model if model is None else model
        loss = self.config["loss"]
        regression = self.config["problem"] == "regression"
        out = {}
        for split, X, y in (("train", self.X_train, self.data.train_labels),
                            ("test", self.X_test, self.data.test_labels)):
            if len(y) == 0:
                out[f"loss_{split}"], out[f"acc_{split}"] = None, None
                continue
            m = evaluate(model, X, y, "square" if regression else loss)
            out[f"loss_{split}"] = finite_or_none(m["loss"])
            out[f"acc_{split}"] = None if regression else finite_or_none(m["accuracy"])
        return out

    def model_view(self) -> dict:
        """Shapes, names and parameters for the network diagram (the model's to_dict plus the feature names)."""
        return {"features": self.feature_names, **self.model.to_dict()}

    def frame(self) -> dict:
        """Everything that changes while training: epoch, metrics, parameters and every neuron's grid in one buffer."""
        grids = grid.network_grids(self.model, self.feature_names)
        output_id = grids[-1][0]
        unused = tuple(f for f in features.FEATURE_ORDER if f not in self.feature_names)
        grids.extend(feature_grids(unused))
        full = {output_id} | ({self.hover} if self.hover else set())
        buffer, layout = grid.pack_grids(grids, full=full, thumb_n=THUMB_N)
        return {
            "epoch": self.epoch,
            **self.metrics(),
            "diverged": bool(self.trainer.diverged),
            "grids": buffer,
            "layout": layout,
            "output_id": output_id,
            "hover": self.hover,
            "weights": [w.tolist() for w in self.model.weights],
            "biases": [b.tolist() for b in self.model.biases],
        }

    def data_view(self) -> dict:
        """Train and test points as flat [x, y, label, ...] lists (compact to send)."""
        def flat(points, labels):
            return np.column_stack([points, labels]).ravel().tolist() if len(labels) else []
        d = self.data
        return {"train": flat(d.train_points, d.train_labels), "test": flat(d.test_points, d.test_labels),
                "source": d.source}

    def snapshot(self, notices: list[str] | None = None) -> dict:
        """The whole state after a (re)build: config, link, data, model shape and the first frame."""
        return {"config": self.config, "hash": cfg.to_hash(self.config), "notices": list(notices or []),
                "data": self.data_view(), "model": self.model_view(), "frame": self.frame()}

    # ---------------------------------------------------------------- edits and files

    def set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        check_finite(value, "weight")
        w = self.model.weights[check_index(layer, len(self.model.weights), "layer")]
        w[check_index(i, w.shape[0], "source node"), check_index(j, w.shape[1], "target node")] = value

    def set_bias(self, layer: int, j: int, value: float) -> None:
        check_finite(value, "bias")
        b = self.model.biases[check_index(layer, len(self.model.biases), "layer")]
        b[check_index(j, b.shape[0], "node")] = value

    def export_model(self) -> dict:
        return modelio.model_document(self.config, self.model.to_dict())

    def import_model(self, document) -> list[str]:
        """Replace config and model with a checked model file; on any error nothing changes."""
        checked = modelio.parse_model_json(document)
        new_config, notices = cfg.validate(checked["config"])
        model = MLP.from_dict(checked["model"])
        model.operator_params = backdoor.params_from_config(new_config).csum
        self.forget_backdoor()
        self.config = new_config
        self.data = generate_data(new_config)
        self.uploaded = None
        self.model = model
        self.make_trainer()
        return notices


    # ---------------------------------------------------------------- backdoor

    def forget_backdoor(self) -> None:
        """Drop the planting state (clean model, activation results, a running search): the model was replaced."""
        self.clean_model: MLP | None = None
        self.planted_activations: list[str] | None = None  # config["activations"] before planting
        self.activated: dict | None = None
        self.search: backdoor.SearchRun | None = None
        self.signature = None  # a sigbackdoor.SignatureBackdoor wrapped around the model, if installed
        self.defended: dict | None = None  # the last defense result, for drawing
        self.plan_record: dict = {}  # the page's backdoor / defense actions as an experiment config (replay.py)
        self.csum_signature_result: dict | None = None  # NN Calculator's CSUM signature, as last run
        self.last_forgery: dict | None = None  # the last forgery attempt against the signature block

    def csum_params(self, params: dict | None = None) -> backdoor.PlantParams:
        """Plant parameters: `params` over the config's csum_* keys."""
        return backdoor.plant_params(params, backdoor.params_from_config(self.config))

    def plant(self, params: dict | None = None) -> dict:
        """Swap the hidden operators for checksum operators, keeping the weights; the config records the numbers
        (csum_*) and the planted operators (activations), so links and model files carry the backdoor."""
        if self.signature is not None:
            raise ValueError("remove the signature block first (one backdoor at a time)")
        pp = self.csum_params(params)
        if self.clean_model is None or not backdoor.planted_layers(self.model):
            clean, before = self.model.copy(), list(self.config["activations"])
        else:  # re-planting with other numbers: the clean reference stays the model as it was first planted
            clean, before = self.clean_model, self.planted_activations
        planted = backdoor.plant(self.model, pp)
        csum = pp.csum
        new_config, _ = cfg.validate({**self.config, "activations": planted.activation_names[:-1],
                                      "csum_variant": csum.variant, "csum_key": csum.key,
                                      "csum_modulo": csum.modulo, "csum_precision": csum.precision,
                                      "csum_secret": csum.secret, "csum_layers": pp.layers})
        self.config = new_config
        self.model, self.clean_model, self.planted_activations = planted, clean, before
        self.activated, self.search = None, None
        self.trainer.model = planted  # the trainer notices the new model and keeps its epoch count
        return self.backdoor_stats()

    def unplant(self) -> None:
        """Plain operators again (the current weights stay); the clean reference is dropped."""
        if backdoor.planted_layers(self.model):
            self.model = backdoor.unplant(self.model)
            self.trainer.model = self.model
        activations = self.planted_activations if self.planted_activations is not None else []
        if any(a in backdoor.CHECKSUM_BASES for a in self.config["activations"]):
            self.config = {**self.config, "activations": activations}
        self.forget_backdoor()

    def backdoor_stats(self) -> dict:
        """The planted model against its clean reference: agreement on the test set and the grid, trigger rates."""
        model, clean = self.model, self.clean_model
        layers = backdoor.planted_layers(model)
        out: dict = {"planted": bool(layers), "layers": [l + 1 for l in layers],
                     "params": backdoor.PlantParams(backdoor.model_checksum(model),
                                                    self.config["csum_layers"]).to_dict(),
                     "has_clean": clean is not None}
        if not layers:
            return out
        X_grid = features.feature_matrix(grid.grid_points(grid.GRID_N), self.feature_names)
        X_test, y_test = self.X_test, self.data.test_labels
        n = len(y_test)
        out.update({
            "trigger_rate": finite_or_none(backdoor.trigger_rate(model, X_test)) if n else None,
            "node_trigger_rate": finite_or_none(backdoor.node_trigger_rate(model, X_test)) if n else None,
            "trigger_rate_grid": backdoor.trigger_rate(model, X_grid),
            "test_accuracy": finite_or_none(accuracy(model.predict(X_test), y_test)) if n else None,
        })
        if clean is not None:
            out.update({
                "agreement": finite_or_none(backdoor.agreement(clean, model, X_test)) if n else None,
                "agreement_grid": backdoor.agreement(clean, model, X_grid),
                "clean_test_accuracy": finite_or_none(accuracy(clean.predict(X_test), y_test)) if n else None,
            })
        return out

    def _attack_model(self) -> MLP:
        """The model an attack runs on: the live one; an unplanted one tests the config's numbers (a control)."""
        if backdoor.planted_layers(self.model):
            return self.model
        model = self.model.copy()
        model.operator_params = self.csum_params().csum
        return model

    def _keep_activation(self, result: dict) -> dict:
        """Remember an activation result and add the test accuracy with the moved points (original labels)."""
        points = self.data.test_points.copy()
        for r in result["records"]:
            points[r["index"]] = r["x1"], r["y1"]
        X = features.feature_matrix(points, self.feature_names)
        labels = self.data.test_labels
        result["summary"]["test_accuracy_after"] = (
            finite_or_none(accuracy(self.model.predict(X), labels)) if len(labels) else None)
        self.activated = result
        return result

    def activate(self, method: str = "digit-edit", points="all", params: dict | None = None) -> dict:
        """Activate the backdoor on test points ("all" or indices): {"records", "summary"}, kept for drawing."""
        if method == "digit-edit":
            result = backdoor.activate_digit_edit(self._attack_model(), self.data.test_points, self.feature_names,
                                                  params, indices=points)
        elif method == "search":
            result = backdoor.SearchRun(self.model, self.data.test_points, self.feature_names, params,
                                        indices=points, seed=self.config["seed"]).run()
        else:
            raise ValueError(f"method {method!r} is not one of {', '.join(backdoor.METHODS)}")
        return self._keep_activation(result)

    def search_start(self, points="all", params: dict | None = None) -> dict:
        self.search = backdoor.SearchRun(self.model, self.data.test_points, self.feature_names, params,
                                         indices=points, seed=self.config["seed"])
        return self.search.progress()

    def _search(self) -> backdoor.SearchRun:
        if self.search is None:
            raise ValueError("no search is running: call search_start first")
        return self.search

    def search_step(self, budget_ms: float = 50.0) -> dict:
        """Progress; once finished it carries "result" ({"records", "summary"}), also kept for drawing."""
        run = self._search()
        progress = run.step(budget_ms)
        if run.finished:
            progress["result"] = self._keep_activation(run.result())
            self.search = None
        return progress

    def search_cancel(self) -> dict:
        run = self._search()
        progress = run.cancel()
        progress["result"] = self._keep_activation(run.result())
        self.search = None
        return progress

    def residue_histograms(self, modulo: int | None = None, precision: int | None = None) -> dict:
        """Residue counts per variant over the first-layer pre-activations of every data point (train and test)
        under the current model (over the x coordinates when there is no hidden layer)."""
        c = self.config
        modulo = c["csum_modulo"] if modulo is None else modulo
        precision = c["csum_precision"] if precision is None else precision
        csum = self.csum_params({"modulo": modulo, "precision": precision, "key": c["csum_key"]}).csum
        points = np.concatenate([self.data.train_points, self.data.test_points])
        if len(self.model.layer_sizes) > 2:
            values = self.model.forward(features.feature_matrix(points, self.feature_names)).pre[0]
            source = "first-layer pre-activations of the train and test points"
        else:
            values = points[:, 0]
            source = "x coordinates of the train and test points"
        out = {"source": source, "count": int(values.size), "modulo": csum.modulo, "precision": csum.precision,
               "key": csum.key, "histograms": {}, "key_frequency": {}, "distinct": {},
               "descriptions": {v: backdoor.VARIANTS[v].description for v in backdoor.VARIANTS}}
        for variant in backdoor.VARIANTS:
            params = backdoor.ChecksumParams(variant, csum.key, csum.modulo, csum.precision, csum.secret)
            counts = params.histogram(values)
            out["histograms"][variant] = counts.tolist()
            out["key_frequency"][variant] = float(counts[csum.key] / values.size) if values.size else None
            out["distinct"][variant] = int(np.count_nonzero(counts))
        return out


def finite_or_none(v: float) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def check_finite(value, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ValueError(f"the {what} must be a finite number, not {value!r}")


def check_index(index, size: int, what: str) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
        raise ValueError(f"{what} index {index!r} is out of range 0..{size - 1}")
    return index
