"""Every command example in README.md runs as written: the `python3 -m backdoor_playground ...` lines of its bash
blocks, on the example CONFIG the README spells out (so a user who copies them gets results, not an error)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if "-m backdoor_playground" in line]


def readme_config() -> dict:
    """The example CONFIG: the inline JSON object the README gives after "where CONFIG"."""
    text = README[README.index("where CONFIG"):]
    start = text.index("`{")
    end = text.index("}`", start)
    return json.loads(" ".join(text[start + 1:end + 1].split()))


def test_the_readme_shows_commands_and_a_config():
    assert len(readme_commands()) >= 2
    assert readme_config()["backdoor"]["type"] == "checksum"


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs_as_written(command, tmp_path):
    (tmp_path / "CONFIG.json").write_text(json.dumps(readme_config()))
    words = shlex.split(command)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "py")}
    while "=" in words[0]:  # leading VAR=value assignments
        words.pop(0)
    assert words[0] == "python3"
    run = subprocess.run([sys.executable, *words[1:]], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, f"{command}\n{run.stderr[-2000:]}"
    for i, word in enumerate(words):
        if word == "--out":
            out = tmp_path / words[i + 1]
            assert out.exists() and out.stat().st_size > 0, f"{command} wrote no {out.name}"
