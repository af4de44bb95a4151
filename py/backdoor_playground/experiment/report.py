"""What the command line prints for people: a few headline lines for one result, and a table of headline metrics per
cell for a sweep (the full numbers go to the files)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

# (stage, metric, column title): the numbers a reader looks at first, in this order
HEADLINE = (
    ("clean", "test_accuracy", "clean acc"),
    ("backdoored", "agreement", "agreement"),
    ("activation", "flip_rate", "flip rate"),
    ("metrics", "attack_success_rate.value", "attack success"),
    ("forgery", "succeeded", "forged"),
    ("metrics", "accuracy_after.value", "acc after"),
    ("metrics", "attack_success_rate_after.value", "success after"),
)


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _get(result: Mapping[str, Any], stage: str, metric: str) -> Any:
    value: Any = result.get(stage)
    for part in metric.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def experiment_lines(result: Mapping[str, Any], out: str | None = None) -> str:
    """A short human summary of one result (for stderr when the JSON goes to a file)."""
    config = result["config"]
    clean = result.get("clean", {})
    lines = [f"trained {config.get('dataset')} for {clean.get('epochs')} epochs (seed {config.get('seed')}): "
             f"test accuracy {_number(clean.get('test_accuracy'))}"]
    backdoor = config.get("backdoor")
    if backdoor:
        b, a = result.get("backdoored", {}), result.get("activation", {})
        lines.append(f"backdoor {backdoor['type']}: agreement with the clean model {_number(b.get('agreement'))}; "
                     f"flipped {_number(a.get('flipped'))} of {_number(a.get('attempted'))} activated test points")
        if "forgery" in result:
            f = result["forgery"]
            lines.append(f"forgery ({f.get('method')}): {'succeeded' if f.get('succeeded') else 'failed'} "
                         f"after {_number(f.get('attempts'))} attempts")
    metrics = result.get("metrics", {})
    if config.get("defense") and metrics:
        lines.append(f"defense {config['defense']['type']}: accuracy after "
                     f"{_number(_get(result, 'metrics', 'accuracy_after.value'))}, attack success "
                     f"{_number(_get(result, 'metrics', 'attack_success_rate.value'))} -> "
                     f"{_number(_get(result, 'metrics', 'attack_success_rate_after.value'))}")
    if out:
        lines.append(f"wrote {out}")
    return "\n".join(lines) + "\n"


def sweep_table(summary: Sequence[tuple]) -> str:
    """Headline metrics (mean ± sd over seeds) as one row per cell; columns no cell has are left out."""
    cells: dict[str, dict[tuple[str, str], tuple[float, float, int]]] = {}
    for cell, stage, metric, n, mean, sd in summary:
        cells.setdefault(cell, {})[(stage, metric)] = (mean, sd, n)
    columns = [(s, m, title) for s, m, title in HEADLINE if any((s, m) in v for v in cells.values())]
    width = max([len("cell"), *map(len, cells)])
    head = f"{'cell':<{width}}  seeds  " + "  ".join(f"{title:>17}" for _, _, title in columns)
    rows = [head, "-" * len(head)]
    for cell, values in cells.items():
        seeds = max((n for _, _, n in values.values()), default=0)
        parts = []
        for stage, metric, _ in columns:
            mean, sd, _n = values.get((stage, metric), (None, None, 0))
            parts.append(f"{'-':>17}" if mean is None else f"{f'{mean:.3f} ± {sd:.3f}':>17}")
        rows.append(f"{cell:<{width}}  {seeds:>5}  " + "  ".join(parts))
    return "\n".join(rows) + "\n"
