"""The one table of worker methods (worker/api.METHODS): every entry has a handler, every handler has an entry,
the page calls only methods in the table, and by its generated constants (api-table.js), never by string."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from backdoor_playground.worker import api, tables

ROOT = Path(__file__).resolve().parents[2]
# api.py's own helpers that are not worker methods
INFRASTRUCTURE = {"session", "handler", "call"}


def test_every_method_has_a_handler_taking_the_session_first():
    for name, module in api.METHODS.items():
        fn = api.handler(name)
        assert callable(fn) and fn.__name__ == name, name
        params = list(inspect.signature(fn).parameters)
        if module != "api":
            assert params and params[0] == "s", f"{module}.{name} must take the live Session first"


def test_every_handler_is_reachable_from_the_table():
    modules = set(api.METHODS.values())
    for module in modules:
        mod = api if module == "api" else importlib.import_module(f"backdoor_playground.worker.{module}")
        public = {n for n, f in vars(mod).items()
                  if inspect.isfunction(f) and f.__module__ == mod.__name__ and not n.startswith("_")}
        if module == "api":
            public -= INFRASTRUCTURE
        missing = {n for n in public if api.METHODS.get(n) != module}
        assert not missing, f"worker/{module}.py defines handlers the table does not list: {sorted(missing)}"


def test_unknown_methods_and_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        api.call("nope")
    with pytest.raises(ValueError, match="unknown method"):
        api.call("session")  # a helper of api.py, not a worker method
    with pytest.raises(ValueError, match="must be an object"):
        api.call("info", [1, 2])


def test_the_generated_table_names_every_method():
    assert tables.api_table() == {name: name for name in api.METHODS}


def _site_sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted((ROOT / "site").rglob("*.js"))}


def test_the_page_calls_only_methods_python_defines():
    used = set()
    for path, text in _site_sources().items():
        for name in re.findall(r"\bAPI\.([A-Za-z_]\w*)", text):
            assert name in api.METHODS, f"{path.relative_to(ROOT)} calls API.{name}, which worker/api.py lacks"
            used.add(name)


def test_the_page_never_names_a_method_in_a_string_at_a_call():
    """A call site writes API.<name> (checked above), never call("name", ...): a typo would only fail at run time."""
    pattern = re.compile(r"""\bcall\(\s*["'`]""")
    offenders = [f"{path.relative_to(ROOT)}:{i}" for path, text in _site_sources().items()
                 for i, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    assert not offenders, offenders
