"""The shape of the code (docs/ARCHITECTURE.md): small files, no import cycle in the package, and no code outside a
backdoor's own subpackage that branches on which backdoor is live."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "py" / "backdoor_playground"
MAX_LINES = 400
BACKDOOR_PACKAGES = ("checksum", "signature", "poisoning")  # each backdoor's own subpackage may know its own type


def _module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """Package modules imported when `path` is imported (imports inside functions or TYPE_CHECKING don't count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes):
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                continue
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                if node.level:
                    base = base[:len(base) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                if not mod.startswith("backdoor_playground"):
                    continue
                found.add(mod)
                for alias in node.names:  # `from . import x` may name a submodule
                    if (PKG.parent / (mod.replace(".", "/") + "/" + alias.name + ".py")).exists():
                        found.add(f"{mod}.{alias.name}")
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("backdoor_playground"))

    visit(tree.body)
    return found


def test_no_file_over_the_limit():
    files = [*PKG.rglob("*.py"), *(ROOT / "site").rglob("*.js"), *(ROOT / "site").rglob("*.css")]
    long = {str(p.relative_to(ROOT)): n for p in files
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines: {long}"


def test_no_import_cycle():
    modules = {_module_name(p): p for p in PKG.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        deps = set()
        for dep in _top_level_imports(path):
            while dep and dep not in modules:  # `from pkg.mod import name` -> pkg.mod
                dep = dep.rpartition(".")[0]
            if dep and dep != name:
                deps.add(dep)
        graph[name] = deps
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_no_backdoor_type_branch_outside_its_subpackage():
    pattern = re.compile(r"is_signature|isinstance\([^)]*(Checksum|Signature|CsumSignature)Attack\)|"
                         r"\[\"type\"\] (==|in) \"(checksum|signature|csum-signature)\"")
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] in BACKDOOR_PACKAGES:
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{rel}:{i}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
