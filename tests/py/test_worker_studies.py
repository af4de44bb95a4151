"""The page's Studies view, worker side (worker/studies.py): a study run in steps gives the command line's numbers
for the same options, cancels between jobs, and the files the command line writes load back into the same figure
data; bad files say what is wrong. In process, files only under tmp_path: runs in CPython and in Pyodide."""

from __future__ import annotations

import json

import pytest

from backdoor_playground.studies import runner
from backdoor_playground.worker import api

TINY = {"datasets": "circle,csum-grid", "radii": "0.5,2", "epochs": "5"}
TINY_MODULO = {"moduli": "2,20,256", "variants": "decimal,parity", "epochs": "5", "search_points": "2",
               "max_trials": "300", "calibrate_ms": "5"}


def _finish(p: dict) -> dict:
    while not p["finished"]:
        p = api.call("studies_step", {"budget_ms": 0})
    return p


def _no_timing(summary) -> list:
    return [tuple(r) for r in summary if not runner.is_timing(r[1])]


@pytest.fixture(autouse=True)
def session():
    api.init()


@pytest.mark.parametrize("name, options", [("proximity", TINY), ("modulo", TINY_MODULO)])
def test_the_page_s_run_gives_the_command_line_s_numbers(name, options):
    p = _finish(api.call("studies_start", {"name": name, "seeds": 2, "options": options}))
    _, rows, _ = runner.run(name, 2, [f"{k}={v}" for k, v in options.items()], workers=1)
    cli = [tuple(None if v != v else v for v in r) for r in runner.summarize(rows)]
    assert _no_timing(p["summary"]) == _no_timing(cli)
    assert p["done"] == p["total"] and p["headline"] and p["charts"] and p["numbers"]
    assert f"study {name} --seeds 2" in p["command"]
    for c in p["charts"]:
        assert c["xLabel"] and c["yLabel"] and c["title"]
        assert all(s["label"] for s in c["series"])


def test_page_defaults_are_small_and_every_runnable_study_is_listed():
    names = api.call("studies_names")
    listed = {s["name"]: s for s in names["studies"]}
    assert {"modulo", "proximity", "matrix"} <= {n for n, s in listed.items() if s["available"]}
    assert listed["dimension"]["available"] is False and listed["dimension"]["why"]
    assert listed["modulo"]["options"]["max_trials"] == "2000" and listed["modulo"]["seeds"] == 1
    p = api.call("studies_start", {"name": "proximity"})
    assert p["total"] == 4 and p["options"]["datasets"] == ["circle", "xor", "spiral", "csum-grid"]


def test_cancel_keeps_the_finished_jobs():
    p = api.call("studies_start", {"name": "proximity", "seeds": 2, "options": TINY})
    p = api.call("studies_step", {"budget_ms": 0})
    assert p["done"] == 1 and not p["finished"]
    p = api.call("studies_cancel")
    assert p["cancelled"] and p["finished"] and p["done"] == 1 and p["headline"] is None
    assert {r[0].split()[0] for r in p["summary"]} == {"dataset=circle"}


def test_bad_start_names_the_key():
    with pytest.raises(ValueError, match="^study 'nope'"):
        api.call("studies_start", {"name": "nope"})
    with pytest.raises(ValueError, match="radii"):
        api.call("studies_start", {"name": "proximity", "options": {"radii": "-1"}})
    with pytest.raises(ValueError, match="^dimension: needs"):
        api.call("studies_start", {"name": "dimension"})


def test_files_written_by_the_command_line_load_into_the_same_figure(tmp_path):
    study, rows, record = runner.run("proximity", 1, [f"{k}={v}" for k, v in TINY.items()], workers=1)
    paths, _ = runner.write(study, rows, record, tmp_path)
    text = {p.rsplit("/", 1)[-1]: open(p, encoding="utf-8").read() for p in paths[:3]}
    page = _finish(api.call("studies_start", {"name": "proximity", "seeds": 1, "options": TINY}))
    loaded = api.call("studies_load", {"files": [{"name": n, "text": t} for n, t in text.items()
                                                 if n != "proximity.tsv"]})
    assert loaded["study"] == "proximity" and loaded["finished"]
    assert [c["title"] for c in loaded["charts"]] == [c["title"] for c in page["charts"]]
    assert [[s["y"] for s in c["series"]] for c in loaded["charts"]] == \
        [[s["y"] for s in c["series"]] for c in page["charts"]]
    assert [(n["label"], n["k"], n["n"]) for n in loaded["numbers"]] == \
        [(n["label"], n["k"], n["n"]) for n in page["numbers"]]
    # the tidy TSV alone: the study from the file name, the same means, no counts (so no intervals)
    tidy = api.call("studies_load", {"files": [{"name": "proximity.tsv", "text": text["proximity.tsv"]}]})
    assert [n["mean"] for n in tidy["numbers"]] == [n["mean"] for n in page["numbers"]]
    assert all(n["lo"] is None for n in tidy["numbers"])
    # what the page offers to download is what the command line writes (timings aside)
    files = api.call("studies_files")
    assert files["tsv"].splitlines()[0] == text["proximity.tsv"].splitlines()[0]
    assert json.loads(files["json"])["options"] == json.loads(text["proximity.json"])["options"]


@pytest.mark.parametrize("files, message", [
    ([], "^files: pick"),
    ([{"name": "a.tsv", "text": ""}], "^file a.tsv: it is empty"),
    ([{"name": "a.tsv", "text": "x\ty\n1\t2\n"}], "^file a.tsv: the header must be"),
    ([{"name": "modulo.tsv", "text": "cell\tseed\tmetric\tvalue\nc\t0\tm\tabc\n"}], "^file modulo.tsv, line 2: 'abc'"),
    ([{"name": "modulo.tsv", "text": "cell\tseed\tmetric\tvalue\nc\t0\n"}], "^file modulo.tsv, line 2: 2 fields"),
    ([{"name": "m.json", "text": "{"}], "^file m.json: not JSON"),
    ([{"name": "m.json", "text": "{\"study\": \"modulo\", \"options\": {}}"}], "^files: a JSON record"),
    ([{"name": "a.tsv", "text": "cell\tseed\tmetric\tvalue\nfoo=1\t0\tm\t1\n"}], "^files: cannot tell"),
    ([{"name": "a.tsv", "text": "x" * 5_000_001}], "^file a.tsv: characters"),
    ([{"name": "a.tsv", "text": ""}] * 4, "^files"),
])
def test_bad_files_say_what_is_wrong(files, message):
    with pytest.raises(ValueError, match=message):
        api.call("studies_load", {"files": files})
