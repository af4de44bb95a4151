"""The page's Studies view, worker side (worker/studies.py): a study run in steps gives the command line's numbers
for the same options, cancels between jobs, and the files the command line writes load back into the same figure
data; bad files say what is wrong. In process, files only under tmp_path: runs in CPython and in Pyodide."""

from __future__ import annotations

import json

import pytest

from backdoor_playground.studies import dimension, runner
from backdoor_playground.worker import api

TINY = {"datasets": "circle,csum-grid", "radii": "0.5,2", "epochs": "5"}
TINY_DIMENSION = {"datasets": "circle3d,blobs10", "backdoors": "checksum:decimal,signature:toy-rsa", "points": "6"}
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


@pytest.mark.parametrize("name, options", [("proximity", TINY), ("modulo", TINY_MODULO),
                                           ("dimension", TINY_DIMENSION)])
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
    assert [s["name"] for s in names["studies"]] == ["modulo", "proximity", "matrix", "dimension"]
    assert all(s["available"] for s in names["studies"])
    assert listed["modulo"]["options"]["max_trials"] == "2000" and listed["modulo"]["seeds"] == 1
    dim = listed["dimension"]
    assert dim["seeds"] == 1 and dim["options"]["points"] == "50"
    assert dim["options"]["datasets"] == "circle,blobs2,blobs10,circle3d,digits"
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
    with pytest.raises(ValueError, match="^datasets: 'plane' is not one of circle, blobs2"):
        api.call("studies_start", {"name": "dimension", "options": {"datasets": "plane"}})


def test_the_registry_lists_studies_in_its_modules_order_whatever_was_imported_first():
    from backdoor_playground.studies import registry

    registry.load_all()
    first = registry.STUDIES.pop("modulo")  # as if modulo.py had been imported last
    registry.register(first)
    assert list(registry.STUDIES)[-1] == "modulo"
    with pytest.raises(ValueError, match="is not one of modulo, proximity, matrix, dimension$"):
        registry.get_study("nope")
    assert list(registry.STUDIES) == ["modulo", "proximity", "matrix", "dimension"]


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


def test_dimension_chart_data_is_the_command_line_figure_s():
    from backdoor_playground.studies import dimension_figure
    from backdoor_playground.worker.study_charts import CHARTS

    study, rows, record = runner.run("dimension", 2, [f"{k}={v}" for k, v in TINY_DIMENSION.items()], workers=1)
    summary = runner.summarize(rows)
    means = runner.metric_means(summary)
    charts, numbers = CHARTS["dimension"](summary, record)
    assert [c["id"] for c in charts] == [f"dimension_{m}" for m, *_ in dimension_figure.PANELS]
    assert charts[0]["caption"] == dimension_figure.caption(means, ["circle3d", "blobs10"],
                                                            ["checksum:decimal", "signature:toy-rsa"])
    for c in charts:
        assert c["kind"] == "bars" and c["xLabel"] and c["yLabel"] and c["title"]
        assert c["groups"] == [{"label": "circle3d", "sub": "d=3 K=2"}, {"label": "blobs10", "sub": "d=2 K=10"}]
        assert [s["label"] for s in c["series"]] == ["checksum:decimal", "signature:toy-rsa"]
        metric = c["id"].removeprefix("dimension_")
        assert c["log"] == (metric in ("median_abs_delta_rel", "activation_seconds_per_point"))
        for s in c["series"]:
            for data, v in zip(("circle3d", "blobs10"), s["values"]):
                want = means[(dimension.cell(data, s["label"]), metric)]
                assert v["mean"] == want["mean"] and v["lo"] == want["lo"] and v["hi"] == want["hi"]
                assert (v["lo"] is None) == c["log"]  # rates carry Wilson intervals, |dx| and seconds do not
                if not c["log"]:
                    assert c["yMin"] <= v["lo"] <= v["mean"] <= v["hi"] <= c["yMax"]
    assert [n["label"] for n in numbers] == [f"{d}, {b}: activation success" for d in
                                             ("circle3d (d = 3, K = 2)", "blobs10 (d = 2, K = 10)")
                                             for b in ("checksum:decimal", "signature:toy-rsa")]
    assert all(n["n"] == 12 for n in numbers)  # 6 points x 2 seeds, pooled
    sig = [n for n in numbers if "signature" in n["label"]]
    assert all(n["k"] == 12 and n["lo"] < 1 == n["hi"] for n in sig)  # the signature always lands


def test_dimension_files_written_by_the_command_line_load_into_the_same_chart(tmp_path):
    options = [f"{k}={v}" for k, v in TINY_DIMENSION.items()]
    study, rows, record = runner.run("dimension", 1, options, workers=1)
    paths, _ = runner.write(study, rows, record, tmp_path)
    text = {p.rsplit("/", 1)[-1]: open(p, encoding="utf-8").read() for p in paths[:3]}
    page = _finish(api.call("studies_start", {"name": "dimension", "seeds": 1, "options": TINY_DIMENSION}))
    assert _no_timing(page["summary"]) == _no_timing([tuple(None if v != v else v for v in r)
                                                      for r in runner.summarize(rows)])
    data = lambda p: [(c["id"], c["groups"], c["log"], c["yMin"], c["yMax"],  # noqa: E731
                       [[None if v is None else (v["mean"], v["lo"], v["hi"]) for v in s["values"]]
                        for s in c["series"]]) for c in p["charts"] if "seconds" not in c["id"]]
    for files in (["dimension.summary.tsv", "dimension.json"], ["dimension.summary.tsv"]):
        loaded = api.call("studies_load", {"files": [{"name": n, "text": text[n]} for n in files]})
        assert loaded["study"] == "dimension" and loaded["loaded"] == files
        assert data(loaded) == data(page), files
        assert [(n["label"], n["k"], n["n"]) for n in loaded["numbers"]] == \
            [(n["label"], n["k"], n["n"]) for n in page["numbers"]]
        assert loaded["headline"].startswith("dimension study: 2 data sets x 2 backdoors x 1 seeds, 6 activated")
    # the summary's cells tell the study even under another file name
    renamed = api.call("studies_load", {"files": [{"name": "run.summary.tsv", "text": text["dimension.summary.tsv"]}]})
    assert renamed["study"] == "dimension" and len(renamed["charts"]) == 6
