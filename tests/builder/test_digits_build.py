"""build.py's digits section: the pinned scikit-learn wheel, its verified member, the byte-identical conversion, the
provenance in manifest.json, and the file in the site and in our wheel.

CPython only (outside tests/py): it runs build.py's functions on the cached download."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

pytestmark = pytest.mark.cpython_only
DIST = Path(os.environ.get("BP_DIST", ROOT / "dist"))
WHEEL_MEMBER = "backdoor_playground/playground/data/digits.npy"


@pytest.fixture(scope="module")
def manifest() -> dict:
    if not (DIST / "manifest.json").exists():
        pytest.fail("no built site: run `python3 build.py test`")
    return json.loads((DIST / "manifest.json").read_text())


@pytest.fixture(scope="module")
def source() -> Path:
    """The pinned scikit-learn wheel (cached by the build)."""
    return build.pip_download(build.DIGITS_SOURCE, build.DIGITS_SOURCE_FILE, *build.DIGITS_PIP_ARGS)


def test_conversion_is_byte_identical_and_pinned(source):
    with zipfile.ZipFile(source) as z:
        member = z.read(build.DIGITS_MEMBER)
    one, two = build.convert_digits(member), build.convert_digits(bytes(member))
    assert one == two
    assert hashlib.sha256(one).hexdigest() == build.digits_pinned_sha256()
    assert build.DIGITS_FILE.read_bytes() == one
    # The file is exactly what numpy itself writes for the CSV's values: the format is standard .npy.
    table = np.loadtxt(io.BytesIO(gzip.decompress(member)), delimiter=",", dtype=np.uint8)
    out = io.BytesIO()
    np.save(out, table)
    assert out.getvalue() == one


def test_a_rebuild_from_the_download_writes_the_same_bytes(source, tmp_path, monkeypatch):
    (tmp_path / "downloads").mkdir()
    shutil.copyfile(source, tmp_path / "downloads" / source.name)
    monkeypatch.setattr(build, "CACHE", tmp_path)
    monkeypatch.setattr(build, "DIGITS_FILE", tmp_path / "out" / "digits.npy")
    first = build.digits_data()
    assert build.DIGITS_FILE.read_bytes() == (ROOT / "py" / WHEEL_MEMBER).read_bytes()
    assert first == build.digits_data()


def test_a_wheel_that_is_not_the_pinned_one_is_refused(source, tmp_path, monkeypatch):
    (tmp_path / "downloads").mkdir()
    copy = tmp_path / "downloads" / source.name
    shutil.copyfile(source, copy)
    monkeypatch.setattr(build, "CACHE", tmp_path)
    monkeypatch.setattr(build, "DIGITS_FILE", tmp_path / "out" / "digits.npy")
    monkeypatch.setattr(build, "DIGITS_SOURCE_SHA256", "0" * 64)
    with pytest.raises(build.BuildError, match="refusing to build: scikit_learn-0.15.2-cp34-none-win32.whl has sha256"):
        build.digits_data()
    assert not copy.exists() and not build.DIGITS_FILE.exists()  # deleted: the next build fetches it again


def test_provenance_in_the_manifest(manifest, source):
    entry = manifest["derived"][build.DIGITS_SITE_PATH]
    assert entry["source"] == {"file": build.DIGITS_SOURCE_FILE, "url": build.DIGITS_SOURCE_URL,
                               "sha256": build.sha256_file(source)}
    assert entry["source"]["url"].startswith("https://files.pythonhosted.org/packages/")
    assert entry["source"]["url"].endswith("/" + entry["source"]["file"])
    with zipfile.ZipFile(source) as z:
        assert entry["from_sha256"] == hashlib.sha256(z.read(entry["from"])).hexdigest()
    assert entry["from"] == "sklearn/datasets/data/digits.csv.gz"
    assert entry["sha256"] == manifest["files"][build.DIGITS_SITE_PATH]["sha256"]
    assert "CC BY 4.0" in entry["data"] and "Alpaydin" in entry["data"] and ".npy" in entry["how"]


def test_the_site_and_our_wheel_carry_the_same_small_file(manifest):
    shipped = (DIST / build.DIGITS_SITE_PATH).read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == build.digits_pinned_sha256()
    gzipped = len(gzip.compress(shipped, 9))
    assert gzipped <= 100_000 and manifest["derived"][build.DIGITS_SITE_PATH]["gzip_bytes"] == gzipped
    with zipfile.ZipFile(DIST / manifest["wheel"]) as z:
        assert z.read(WHEEL_MEMBER) == shipped
    assert manifest["derived"][build.DIGITS_SITE_PATH]["also_in"] == f"{manifest['wheel']} as {WHEEL_MEMBER}"


def test_the_generated_file_is_git_ignored():
    rel = build.DIGITS_FILE.relative_to(ROOT).as_posix()
    out = subprocess.run(["git", "check-ignore", "-q", rel], cwd=ROOT)
    assert out.returncode == 0, f"{rel} must be git-ignored (build.py writes it)"
