"""Worker handlers for the page's Studies view (each takes the live Session first): a study of studies/ run in steps
(studies/steps.StudyRun: the runner's jobs in the same order, so the same numbers as `python3 -m backdoor_playground
study NAME` with the same options, timings aside), with progress and cancel; the figures' data
(worker/study_charts.py: the panels the command line draws with matplotlib), the headline numbers with their pooled
95 % Wilson intervals; and a study's TSV / summary TSV / JSON made on the command line, parsed and checked here
(limits below) to draw it."""

from __future__ import annotations

import json
from typing import Any, Sequence

from ..defense.run import json_safe
from ..experiment import sweep
from ..limits import Limit
from ..session import Session
from ..studies import registry, runner
from ..studies.steps import StudyRun
from .study_charts import CHARTS

# the page's small default grids (seconds in the worker, not minutes); the command line's defaults stay as they are
PAGE_DEFAULTS: dict[str, dict] = {
    "modulo": {"seeds": 1, "options": {"moduli": "2,4,8,16,20,32,64,256,1024", "epochs": "100",
                                        "search_points": "3", "max_trials": "2000"}},
    "proximity": {"seeds": 1, "options": {"datasets": "circle,xor,spiral,csum-grid", "radii": "0.1,0.2,0.5,1,2",
                                           "epochs": "100"}},
    "matrix": {"seeds": 1, "options": {"epochs": "100", "backdoors": "poisoning,checksum:decimal,signature:toy-rsa",
                                        "defenses": "none,proximity,proximity:knn,smoothing"}},
    # the command line's data sets and backdoors, one seed, 50 activated points per cell (3-10 s in the page)
    "dimension": {"seeds": 1, "options": {"points": "50"}},
}
LIMITS = {
    "file_chars": Limit(0, 5_000_000, 5_000_000, "characters of one loaded file", integer=True),
    "rows": Limit(1, 200_000, 200_000, "rows of one loaded TSV", integer=True),
    "files": Limit(1, 3, 3, "files loaded at once (TSV, summary TSV, JSON)", integer=True),
}
_run: StudyRun | None = None


def _text(v: Any) -> str:
    return ",".join(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v)


def studies_names(s: Session) -> dict:
    """Every study: name, doc, whether the page can run it (and why not), its page defaults (seeds, KEY: text)."""
    out = []
    for name, st in registry.load_all().items():
        page = PAGE_DEFAULTS.get(name, {"seeds": 1, "options": {}})
        opts = {k: page["options"].get(k, _text(o.default)) for k, o in st.options.items()}
        out.append({"name": name, "doc": st.doc, "available": st.unavailable is None, "why": st.unavailable,
                    "seeds": page["seeds"], "options": opts, "docs": {k: o.doc for k, o in st.options.items()}})
    return {"studies": out, "max_seeds": runner.MAX_SEEDS,
            "limits": {k: {"high": v.high, "doc": v.doc} for k, v in LIMITS.items()}}


def _pairs(options: Any) -> list[str]:
    if options is None:
        return []
    if not isinstance(options, dict):
        raise ValueError(f"options must be an object of KEY: text, got {type(options).__name__}")
    return [f"{k}={_text(v)}" for k, v in options.items()]


def _command(name: str, seeds: int, options: dict) -> str:
    """The command line that computes the same numbers."""
    opts = " ".join(f"--option {k}={_text(v)}" for k, v in options.items())
    return f"PYTHONPATH=py python3 -m backdoor_playground study {name} --seeds {seeds} {opts} --out studies"


def _view(p: dict, summary: Sequence[tuple], record: dict) -> dict:
    """A progress (or a loaded study) with its figure data and headline numbers."""
    name = record["study"]
    draw = CHARTS.get(name)
    charts, numbers = draw(summary, record) if draw and summary else ([], [])
    return json_safe({**p, "charts": charts, "numbers": numbers, "options": record.get("options", {}),
                      "command": _command(name, record.get("seeds", 1), record.get("options", {}))})


def _progress(run: StudyRun) -> dict:
    p = run.progress()
    return _view(p, runner.summarize(run.rows), run.record())


def studies_start(s: Session, name: str, seeds: Any = None, options: Any = None) -> dict:
    """Start a study (a running one is dropped) with `options` {KEY: text} (default: the page's small grid) parsed
    as the command line's --option KEY=VALUE; ValueError naming a bad name, option or seeds before any work."""
    global _run
    _run = None
    page = PAGE_DEFAULTS.get(name, {"seeds": None, "options": {}})
    if seeds is None:
        seeds = page["seeds"]
    if isinstance(seeds, float) and seeds.is_integer():
        seeds = int(seeds)
    _run = StudyRun(name, seeds, _pairs(page["options"] if options is None else options))
    return _progress(_run)


def _live() -> StudyRun:
    if _run is None:
        raise ValueError("no study is running: call studies_start first")
    return _run


def studies_step(s: Session, budget_ms: float = 100.0) -> dict:
    """Run whole jobs for about budget_ms (at least one): {study, done, total, finished, cancelled, seconds, columns,
    summary, headline, charts, numbers, options, command}."""
    run = _live()
    run.step(float(budget_ms))
    return _progress(run)


def studies_cancel(s: Session) -> dict:
    """Stop between jobs: the progress with the jobs finished so far."""
    run = _live()
    run.cancel()
    return _progress(run)


def studies_files(s: Session) -> dict:
    """The run's files as the command line writes them: {name, tsv, summary_tsv, json} (the JSON has no figure)."""
    run = _live()
    summary = runner.summarize(run.rows)
    record = run.record()
    headline = run.study.headline(summary, record) if run.study.headline and run.done == len(run.jobs) else None
    record = {**record, "headline": headline, "cancelled": run.cancelled, "jobs_done": run.done,
              "jobs": len(run.jobs)}
    return {"name": run.study.name, "tsv": sweep.to_tsv(runner.TSV_COLUMNS, (r[:4] for r in run.rows)),
            "summary_tsv": sweep.to_tsv(runner.SUMMARY_COLUMNS, summary),
            "json": json.dumps(json_safe(record), indent=2, allow_nan=False) + "\n"}


# ---------------------------------------------------------------------------------------------- loading files

def _number(v: str, where: str) -> float | None:
    if v == "":
        return None
    try:
        return float(v)
    except ValueError:
        raise ValueError(f"{where}: {v[:40]!r} is not a number") from None


def _count(v: float | None, where: str) -> int | None:
    if v is not None and (v != int(v) or v < 0):
        raise ValueError(f"{where}: a count must be a whole number >= 0, got {v:g}")
    return None if v is None else int(v)


def _parse_tsv(name: str, text: str) -> tuple[str, list[tuple]]:
    """("tsv" | "summary", rows) of a study TSV: the tidy file (cell, seed, metric, value) or the summary."""
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    if not lines:
        raise ValueError(f"file {name}: it is empty")
    LIMITS["rows"].check(f"file {name}: rows", len(lines) - 1)
    head = tuple(lines[0].split("\t"))
    kinds = {runner.TSV_COLUMNS: "tsv", runner.SUMMARY_COLUMNS: "summary"}
    if head not in kinds:
        raise ValueError(f"file {name}: the header must be {' '.join(runner.TSV_COLUMNS)} (NAME.tsv) or "
                         f"{' '.join(runner.SUMMARY_COLUMNS)} (NAME.summary.tsv), got {' '.join(head)[:80]!r}")
    rows = []
    for i, line in enumerate(lines[1:], start=2):
        f = line.split("\t")
        where = f"file {name}, line {i}"
        if len(f) != len(head):
            raise ValueError(f"{where}: {len(f)} fields, the header has {len(head)}")
        if kinds[head] == "tsv":
            rows.append((f[0], f[1], f[2], _number(f[3], where), None, None))
        else:
            nums = [_number(v, where) for v in f[2:]]
            seeds, k, n = _count(nums[0], where), _count(nums[3], where), _count(nums[4], where)
            rows.append((f[0], f[1], seeds, nums[1], nums[2], k, n, nums[5], nums[6]))
    return kinds[head], rows


def _infer_record(name: str, summary: Sequence[tuple]) -> dict:
    """The options a figure needs, read off the cells (when no JSON came with the TSV)."""
    cells = [runner.parse_cell(c) for c, *_ in summary]
    seeds = max((r[2] or 1 for r in summary), default=1)
    uniq = lambda key: list(dict.fromkeys(c[key] for c in cells if key in c))  # noqa: E731
    if name == "modulo":
        moduli = sorted({int(m) for m in uniq("modulo")})
        return {"study": name, "seeds": seeds, "budget_s": 1.0, "options": {"moduli": moduli,
                                                                            "variants": uniq("variant")}}
    if name == "proximity":
        knn = [m for m in uniq("method") if m.startswith("knn")]
        radii = sorted({float(m[2:]) for m in uniq("method") if m.startswith("r=")})
        return {"study": name, "seeds": seeds, "options": {"datasets": uniq("dataset"), "radii": radii,
                                                           "k": int(knn[0][3:]) if knn else 5}}
    if name == "dimension":  # points: the activated points per cell and seed (the success rate's n / seeds)
        ns = [r[6] for r in summary if r[1] == "attack_success_rate" and r[6] is not None]
        return {"study": name, "seeds": seeds, "options": {
            "datasets": uniq("data"), "backdoors": [b for b in uniq("backdoor") if b != "none"],
            "points": max(ns) // seeds if ns else None}}
    return {"study": name, "seeds": seeds, "backdoors": uniq("backdoor"), "defenses": uniq("defense"),
            "options": {"backdoors": uniq("backdoor"), "defenses": uniq("defense")}}


def _study_of(files: list[tuple[str, str]], record: dict | None, summary: Sequence[tuple]) -> str:
    if record and isinstance(record.get("study"), str):
        return record["study"]
    for fname, _ in files:
        base = fname.rsplit("/", 1)[-1].split(".", 1)[0]
        if base in ("modulo", "proximity", "matrix", "dimension"):
            return base
    keys = set(runner.parse_cell(summary[0][0])) if summary else set()
    for name, need in (("modulo", {"variant", "modulo"}), ("proximity", {"dataset", "method"}),
                       ("matrix", {"backdoor", "defense"}), ("dimension", {"data", "backdoor"})):
        if need <= keys:
            return name
    raise ValueError("files: cannot tell which study these numbers belong to (name the file NAME.tsv or load its "
                     "NAME.json with it)")


def studies_load(s: Session, files: Any) -> dict:
    """Parse a study's files made on the command line ([{name, text}]: NAME.tsv or NAME.summary.tsv, and optionally
    NAME.json); the same view as a finished run. ValueError (starting "file" or "files") for a bad file."""
    if not isinstance(files, list) or not files:
        raise ValueError("files: pick a study's NAME.tsv or NAME.summary.tsv (and its NAME.json if you have it)")
    LIMITS["files"].check("files", len(files))
    got: list[tuple[str, str]] = []
    for f in files:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not isinstance(f.get("text"), str):
            raise ValueError("files: each file must be {name, text}")
        LIMITS["file_chars"].check(f"file {f['name']}: characters", len(f["text"]))
        got.append((f["name"], f["text"]))
    record, tidy, summary = None, None, None
    for fname, text in got:
        if fname.lower().endswith(".json"):
            try:
                record = json.loads(text)
            except json.JSONDecodeError as err:
                raise ValueError(f"file {fname}: not JSON ({err.msg}, line {err.lineno})") from None
            if not isinstance(record, dict) or "study" not in record or "options" not in record:
                raise ValueError(f"file {fname}: not a study record (it has no \"study\" and \"options\")")
        else:
            kind, rows = _parse_tsv(fname, text)
            if kind == "tsv":
                tidy = rows
            else:
                summary = rows
    if summary is None and tidy is None:
        raise ValueError("files: a JSON record holds the configs, not the numbers: load NAME.tsv or "
                         "NAME.summary.tsv with it")
    if summary is None:  # the tidy file has no counts: means and sd only, no intervals
        summary = runner.summarize(tidy or [])
    name = _study_of(got, record, summary)
    if name not in PAGE_DEFAULTS:
        raise ValueError(f"files: the page draws {', '.join(PAGE_DEFAULTS)}, not {name!r}")
    if record is None or record.get("study") != name:
        record = _infer_record(name, summary)
    try:
        headline = record.get("headline") or registry.load_all()[name].headline(summary, record)
    except (KeyError, TypeError, ValueError):
        headline = None
    p = {"study": name, "done": 1, "total": 1, "finished": True, "cancelled": False,
         "seconds": record.get("seconds") or 0.0, "columns": list(runner.SUMMARY_COLUMNS),
         "summary": [list(r) for r in summary], "headline": headline, "loaded": [f for f, _ in got]}
    return _view(p, summary, record)
