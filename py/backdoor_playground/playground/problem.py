"""The problem's shape, d inputs and K classes, read from a config (dataset, classes), and the checks that tie the
config's classes, features and trojan to it.

d and K come from the data set (datasets.shape); `classes` (0 = the data set's own) chooses K only where the data set
allows it (datasets_nd.Spec.k_choices). Regression is 2-D with one linear output (K = 0 here).
"""

from __future__ import annotations

from . import classes, datasets, datasets_nd, features


def active_dataset(config: dict) -> str:
    """The data set in use: regDataset for regression, dataset otherwise."""
    return config["regDataset"] if config.get("problem") == "regression" else config["dataset"]


def shape(config: dict) -> tuple[int, int]:
    """(d, K) of the config's problem; K = 0 for regression."""
    if config.get("problem") == "regression":
        return datasets.shape(config["regDataset"])
    return datasets.shape(config["dataset"], config.get("classes", 0) or 0)


def output_nodes(config: dict) -> int:
    """The network's output nodes: 1 (regression, K = 2) or K."""
    _, k = shape(config)
    return 1 if k == 0 else classes.output_nodes(k)


def check(config: dict, enabled: list[str], shape: tuple[int, int] | None = None) -> list[tuple[str, str]]:
    """(key, message) for every setting the problem cannot take; an empty list when the config fits. `shape` is the
    (d, K) of uploaded data: then only the features are checked, against its d."""
    regression = config.get("problem") == "regression"
    name = active_dataset(config)
    if shape is not None:
        return [(key, f"features: {key} needs 3-D data (x, y, z); the uploaded data is {shape[0]}-D")
                for key in enabled if key in features.SPACE_FEATURES and shape[0] != 3]
    problems: list[tuple[str, str]] = []
    chosen = config.get("classes", 0) or 0
    spec = datasets_nd.SPECS.get(name)
    if chosen and not regression:
        try:
            classes.check_k(chosen)
        except ValueError as exc:
            problems.append(("classes", f"{exc} (or 0: the data set's own K)"))
        else:
            own = spec.k if spec is not None else 2
            if (spec is None or spec.k_choices is None) and chosen != own:
                choosers = ", ".join(n for n, s in datasets_nd.SPECS.items() if s.k_choices is not None)
                problems.append(("classes", f"classes={chosen}: dataset {name} has K = {own} classes of its own; "
                                            f"K can be chosen for {choosers}"))
    d, _ = datasets.shape(name)
    for key in enabled:
        if key in features.SPACE_FEATURES and d != 3:
            problems.append((key, f"features: {key} needs 3-D data (x, y, z); dataset {name} is {d}-D"))
    if config.get("trojan") and not regression and spec is not None:
        problems.append(("trojan", f"trojan={config['trojan']}: the trojans are drawn for 2-D two-class data; "
                                   f"dataset {name} has d = {spec.d}, K = {spec.k} (use 0)"))
    return problems
