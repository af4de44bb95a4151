"""One live playground: a validated config, its data, the model and its trainer, and the frames the page draws."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import attacks
from . import checksum as backdoor
from .playground import config as cfg
from .playground import activations, classes, datasets, features, grid, modelio, problem, rng
from .playground.nn import MLP
from .playground.train import Trainer, evaluate

if TYPE_CHECKING:
    from .attacks import Attack
    from .defense.attacked import Attacked
    from .defense.stepped import SteppedJob
    from .nistcalc.inefficiency import SensitivityRun
    from .nistcalc.memory import DataMemory, ModelMemory

# Keys whose change only alters the trainer's hyper-parameters: applied between epochs, no reset (TFP PR #6).
LIVE_KEYS = frozenset({"learningRate", "regularization", "regularizationRate", "batchSize"})
# Keys that regenerate the data (and so rebuild the model).
# Keys whose change replaces an uploaded CSV by generated data.
UPLOAD_DROPPING_KEYS = frozenset({"dataset", "regDataset", "problem", "noise", "trojan", "classes", "digits_scale"})
DATA_KEYS = frozenset({"dataset", "regDataset", "noise", "seed", "percTrainData", "trojan", "problem", "classes",
                       "digits_scale"})
# Keys that rebuild the model from the same init stream.
MODEL_KEYS = frozenset({"networkShape", "activation", "activations", "initZero", "initSeed", "loss",
                        *features.FEATURE_ORDER, *features.SPACE_ORDER})

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
def feature_grids(names: tuple[str, ...], z: float = 0.0) -> tuple[tuple[str, np.ndarray], ...]:
    """Grids of features the model does not use (the page still shows them, faded): they never change (3-D: on the
    slice at height z)."""
    space = any(name in features.SPACE_FEATURES for name in names)
    points = grid.slice_points(grid.GRID_N, z) if space else grid.grid_points(grid.GRID_N)
    values = features.feature_matrix(points, names).T.copy()
    values.setflags(write=False)
    return tuple(zip(names, values))


def generate_data(config: dict) -> Data:
    """The data the config describes, from the named "data" and "split" streams."""
    regression = config["problem"] == "regression"
    name = config["regDataset"] if regression else config["dataset"]
    ds = datasets.make_dataset(name, config["noise"], config["seed"], config["percTrainData"],
                               trojan=0 if regression else config["trojan"], classes=config.get("classes", 0),
                               digits_scale=config.get("digits_scale", "raw"))
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
        # settings the data set cannot take (a 3-D feature on 2-D data, classes it does not choose) fall back, noted
        config, self.problem_notices = cfg.check_problem(config)
        self.config = config
        self.uploaded: tuple | None = None      # (points, labels, split) of an uploaded CSV, re-split on seed changes
        self.hover: str | None = None           # the node whose grid the page shows at full resolution
        self.slice_z = 0.0                      # 3-D data: the height of the slice the grids show
        self.data = generate_data(config)
        # set by rebuild_model / make_trainer
        self.model: MLP
        self.trainer: Trainer
        self.X_train: np.ndarray
        self.X_test: np.ndarray
        self.attack: Attack | None = None       # the live backdoor (attacks.py), one at a time
        self.defended: dict | None = None       # the last defense result, for drawing
        self.defense_settings: dict | None = None  # its checked parameters: what a Replay link re-runs
        self.defense_job: tuple[SteppedJob, Attacked] | None = None  # a running defend_start, on its test set
        # NN Calculator's state (worker/calculator.py creates the memories on first use)
        self.data_memory: DataMemory | None = None
        self.model_memory: ModelMemory | None = None
        self.sensitivity_job: SensitivityRun | None = None
        self.rebuild_model()

    # ---------------------------------------------------------------- construction

    @property
    def feature_names(self) -> list[str]:
        """The network's inputs: the enabled features (d <= 3) or the raw coordinates px0.. (d > 3)."""
        enabled = cfg.enabled_features(self.config)
        d, _ = self.shape
        return features.input_names(d) if d > 3 else enabled

    @property
    def shape(self) -> tuple[int, int]:
        """(d, K): inputs per point and classes (0 for regression); an uploaded CSV's own (modelio.data_shape)."""
        if self.uploaded is not None and self.config["problem"] != "regression":
            return modelio.data_shape(self.uploaded[0], self.uploaded[1])
        return problem.shape(self.config)

    def rebuild_model(self) -> None:
        """A fresh model from the "init" stream (same config -> same initial weights) and a trainer for it.

        A config naming checksum operators (a planted link) builds them with the config's csum_* numbers, and the
        model trains with them, as NN Calculator's ReLU_CSUM does."""
        self.model = self.initial_model()
        self.make_trainer()
        self.set_attack(attacks.adopt(self))

    def initial_model(self) -> MLP:
        """The config's network with its initial weights from the "init" stream (the same every time)."""
        c, (_, k), hidden = self.config, self.shape, cfg.hidden_activations(self.config)
        # a plain network carries no operator numbers (and its first screen imports no checksum code)
        planted = any(activations.is_family_operator(name) for name in hidden)
        return MLP(len(self.feature_names), list(c["networkShape"]), hidden,
                   "linear" if k == 0 else classes.output_activation(k), rng.stream(c["seed"], "init", c["initSeed"]),
                   init_zero=c["initZero"], operator_params=backdoor.params_from_config(c).csum if planted else None,
                   n_outputs=1 if k == 0 else classes.output_nodes(k))

    def trainer_for(self, model: MLP, X: np.ndarray, y: np.ndarray) -> Trainer:
        """A trainer with the config's hyper-parameters for `model` on features X and labels y."""
        c = self.config
        _, k = self.shape
        return Trainer(model, X, y, learning_rate=c["learningRate"], batch_size=c["batchSize"],
                       regularization=c["regularization"], regularization_rate=c["regularizationRate"],
                       loss=c["loss"] if k == 0 else classes.loss_name(k, c["loss"]))

    def make_trainer(self) -> None:
        self.X_train = features.feature_matrix(self.data.train_points, self.feature_names)
        self.X_test = features.feature_matrix(self.data.test_points, self.feature_names)
        self.trainer = self.trainer_for(self.model, self.X_train, self.data.train_labels)

    def update(self, new_config: dict) -> str:
        """Apply a validated config; returns what it took: "none", "live", "backdoor" (new checksum numbers on a
        planted model), "model" or "data"."""
        changed = {k for k in new_config if new_config.get(k) != self.config.get(k)}
        keep_upload = self.uploaded is not None and not (changed & UPLOAD_DROPPING_KEYS)
        new_config, self.problem_notices = cfg.check_problem(
            new_config, shape=modelio.data_shape(*self.uploaded[:2]) if keep_upload and self.uploaded else None)
        changed = {k for k in new_config if new_config.get(k) != self.config.get(k)}
        self.config = new_config
        if changed & DATA_KEYS:
            if keep_upload and self.uploaded is not None:
                self.data = split_uploaded(*self.uploaded, new_config)
            else:
                self.uploaded = None
                self.data = generate_data(new_config)
            self.rebuild_model()
            return "data"
        if changed & MODEL_KEYS:
            if self.attack is not None:
                self.config = new_config = self.attack.rebuild_config(changed, new_config)
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
        if self.attack is not None and self.attack.config_changed(self, changed):
            kind = "backdoor"  # same weights, new backdoor numbers: the grid must be redrawn
        return kind

    def use_uploaded(self, points: np.ndarray, labels: np.ndarray, split) -> None:
        self.uploaded = (points, labels, split)
        self.config, self.problem_notices = cfg.check_problem(self.config, shape=modelio.data_shape(points, labels))
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
        """Losses and accuracies of `model` (default: the live one) on the train and test sets, and for
        classification the K x K confusion matrices (rows true class, columns predicted; classes.confusion)."""
        model = self.model if model is None else model
        _, k = self.shape
        loss = "square" if k == 0 else classes.loss_name(k, self.config["loss"])
        out: dict = {}
        for split, X, y in (("train", self.X_train, self.data.train_labels),
                            ("test", self.X_test, self.data.test_labels)):
            if len(y) == 0:
                out[f"loss_{split}"], out[f"acc_{split}"] = None, None
                if k:
                    out[f"confusion_{split}"] = [[0] * k for _ in range(k)]
                continue
            m = evaluate(model, X, y, loss)
            out[f"loss_{split}"] = finite_or_none(m["loss"])
            out[f"acc_{split}"] = None if k == 0 else finite_or_none(m["accuracy"])
            if k:
                out[f"confusion_{split}"] = classes.confusion(model.predict(X), y, k)
        return out

    def model_view(self) -> dict:
        """Shapes, names and parameters for the network diagram (the model's to_dict plus the feature names)."""
        return {"features": self.feature_names, **self.model.to_dict()}

    def frame(self) -> dict:
        """Everything that changes while training: epoch, metrics, parameters and every neuron's grid in one buffer."""
        d, k = self.shape
        extra: dict = {}
        if d > 3:  # no picture of a 64-D input space: the page shows images instead
            grids: list = []
            output_id = str(sum(self.model.layer_sizes[1:]))
            pred = classes.labels_of(self.model.predict(self.X_test)) if len(self.X_test) else []  # the page's images
            extra["test_pred"] = classes.indices(pred, k).astype(np.uint8).tobytes()  # predicted class, test order
        else:
            grids = grid.network_grids(self.model, self.feature_names, z=self.slice_z)
            output_id = grids[-1][0]
            unused = tuple(f for f in (*features.FEATURE_ORDER, *(features.SPACE_ORDER if d == 3 else ()))
                           if f not in self.feature_names)
            grids.extend(feature_grids(unused, self.slice_z))
            if k > 2:
                index, confidence = grid.class_grid(self.model, self.feature_names, z=self.slice_z)
                extra = {"class_grid": index.astype(np.uint8).tobytes(),
                         "confidence_grid": grid.quantize(2.0 * confidence - 1.0).tobytes()}
        full = {output_id} | ({self.hover} if self.hover else set())
        buffer, layout = grid.pack_grids(grids, full=full, thumb_n=THUMB_N)
        if d != 2 or k > 2:
            extra.update(d=d, k=k, z=self.slice_z)
        return {
            **extra,
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
        view = {"train": flat(d.train_points, d.train_labels), "test": flat(d.test_points, d.test_labels),
                "source": d.source}
        dims, k = self.shape
        if dims != 2 or k > 2:  # flat [coordinates..., label] rows of d + 1 numbers
            view.update(d=dims, k=k)
        return view

    def snapshot(self, notices: list[str] | None = None) -> dict:
        """The whole state after a (re)build: config, link, data, model shape and the first frame."""
        return {"config": self.config, "hash": cfg.to_hash(self.config),
                "notices": [*(notices or []), *self.problem_notices],
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
        return modelio.model_document(self.config, self.model.to_dict(), self.epoch)

    def import_model(self, document) -> list[str]:
        """Replace config and model with a checked model file; on any error nothing changes."""
        checked = modelio.parse_model_json(document)
        new_config, notices = cfg.validate(checked["config"])
        model = MLP.from_dict(checked["model"])
        model.operator_params = backdoor.params_from_config(new_config).csum
        self.config = new_config
        self.data = generate_data(new_config)
        self.uploaded = None
        self.model = model
        self.make_trainer()
        self.trainer.epochs_done = checked["epoch"]  # the file's epoch count goes on
        self.problem_notices = []  # the file's config passed check_problem strictly
        self.set_attack(attacks.adopt(self))
        return notices


    # ---------------------------------------------------------------- the backdoor (attacks.py) and the defense

    def set_attack(self, attack: "Attack | None") -> None:
        """The live backdoor (one at a time); the last defense no longer describes the attack."""
        self.attack = attack
        self.attack_changed()

    def attack_changed(self) -> None:
        """The attack was planted, moved or removed: the last defense result (and a running one) no longer applies."""
        self.defended, self.defense_settings, self.defense_job = None, None, None

    def install(self, kind: str, settings: dict) -> "Attack":
        """Install a backdoor of type `kind` with checked `settings` (one at a time; a replaceable one, such as
        NN Calculator's CSUM signature, makes way)."""
        cls = attacks.get(kind)
        if cls.plane_only is not None:
            self.require_plane(f"the {kind} backdoor", cls.plane_only)
        current = self.attack
        if current is not None and not current.replaceable and current.type != kind:
            raise ValueError(f"remove the {current.type} backdoor first (one backdoor at a time)")
        attack = cls.install(self, settings)
        self.set_attack(attack)
        return attack

    def remove_attack(self) -> bool:
        """Undo the live backdoor's plant; True when there was one."""
        attack = self.attack
        if attack is None:
            return False
        attack.remove(self)
        self.set_attack(None)
        return True

    def require_plane(self, what: str, reason: str = "2-D two-class data only, for now") -> None:
        """ValueError unless the data is 2-D with two classes: what a backdoor with `plane_only` takes."""
        d, k = self.shape
        if d != 2 or k > 2:  # regression (K = 0) is refused by each backdoor in its own words
            raise ValueError(f"{what}: {reason}; this data has d = {d}, K = {k}")

    def clean_model(self) -> MLP:
        """The model before the backdoor changed it (the live model when the attack left its operators alone)."""
        attack = self.attack
        return attack.clean_model if attack is not None and attack.clean_model is not None else self.model

    def attacked(self) -> "Attacked":
        """The test set under the live attack (nothing activated, the model its own reference, without one)."""
        if self.config["problem"] == "regression":
            raise ValueError("defenses need a classification problem (labels +1 / -1)")
        if self.attack is not None:
            return self.attack.attacked(self)
        from .defense import attacked
        return attacked.untouched(self)


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
