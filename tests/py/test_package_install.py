"""The worker's faster install steps (worker/package_install.py): the one-pass wheel reader writes exactly what
shutil's zip reader writes, and the import-cache reset lets a package installed after it be imported."""
import importlib
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from backdoor_playground.worker import package_install

PACKAGE = Path(package_install.__file__).resolve().parents[1]


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under root, by relative path."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[(Path(dirpath) / d).relative_to(root).as_posix() + "/"] = None
        for f in filenames:
            out[(Path(dirpath) / f).relative_to(root).as_posix()] = (Path(dirpath) / f).read_bytes()
    return out


def make_wheel(path: Path, members: dict[str, bytes | None], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members.items():
            if data is None:
                z.writestr(zipfile.ZipInfo(name), b"")
            else:
                z.writestr(name, data, compress_type=zipfile.ZIP_STORED if name.endswith(".stored") else None)
    return path


def both(archive: Path, tmp_path: Path) -> tuple[dict, dict]:
    fast, reference = tmp_path / "fast", tmp_path / "reference"
    package_install.unpack_wheel(str(archive), str(fast))
    shutil._unpack_zipfile(str(archive), str(reference))
    return tree(fast), tree(reference)


def test_same_files_as_shutil_for_a_wheel_of_this_package(tmp_path):
    members = {f"backdoor_playground/{p.relative_to(PACKAGE).as_posix()}": p.read_bytes()
               for p in sorted(PACKAGE.rglob("*.py"))}
    members["backdoor_playground-0.1.0.dist-info/RECORD"] = b"x,,\n"
    members["empty/"] = None
    members["data/blob.stored"] = bytes(range(256)) * 64
    members["data/zero-length"] = b""
    fast, reference = both(make_wheel(tmp_path / "p-0.1.0-py3-none-any.whl", members), tmp_path)
    assert fast == reference
    assert len([k for k in fast if k.endswith(".py")]) > 100
    assert fast["data/blob.stored"] == bytes(range(256)) * 64 and fast["empty/"] is None


def test_stored_only_archive(tmp_path):
    archive = make_wheel(tmp_path / "s.whl", {"a/b/c.txt": b"hello", "d.bin": b"\x00" * 1000}, zipfile.ZIP_STORED)
    fast, reference = both(archive, tmp_path)
    assert fast == reference == {"a/": None, "a/b/": None, "a/b/c.txt": b"hello", "d.bin": b"\x00" * 1000}


def test_a_corrupt_member_is_refused(tmp_path):
    archive = make_wheel(tmp_path / "c.whl", {"m.txt": b"the original text"}, zipfile.ZIP_STORED)
    data = archive.read_bytes().replace(b"the original text", b"the altered! text")
    archive.write_bytes(data)
    with pytest.raises(shutil.ReadError, match="CRC-32"):
        package_install.unpack_wheel(str(archive), str(tmp_path / "out"))


def test_unsafe_paths_go_to_shutils_reader_which_skips_them(tmp_path):
    archive = make_wheel(tmp_path / "u.whl", {"ok.txt": b"fine", "../escape.txt": b"no"})
    with pytest.raises(package_install.UnsupportedArchive, match="outside"):
        package_install.members(archive.read_bytes())
    fast, reference = both(archive, tmp_path)
    assert fast == reference == {"ok.txt": b"fine"}
    assert not (tmp_path / "escape.txt").exists()


def test_not_a_zip_is_refused_like_shutil(tmp_path):
    archive = tmp_path / "n.whl"
    archive.write_bytes(b"not a zip at all")
    with pytest.raises(package_install.UnsupportedArchive):
        package_install.members(archive.read_bytes())
    with pytest.raises(shutil.ReadError):
        package_install.unpack_wheel(str(archive), str(tmp_path / "out"))


def test_a_package_written_after_its_folder_was_scanned_imports_after_the_reset(tmp_path, monkeypatch):
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    with pytest.raises(ImportError):
        importlib.import_module("bp_fresh_pkg")  # the folder's listing is now cached without it
    (folder / "bp_fresh_pkg").mkdir()
    (folder / "bp_fresh_pkg" / "__init__.py").write_text("VALUE = 42\n")
    # a listing read in the same second can hide the new folder; the reset must make it visible in any case
    finder = sys.path_importer_cache[str(folder)]
    finder._path_cache = set()  # noqa: SLF001 (the stale listing: as if the folder were scanned this same instant)
    finder._path_mtime = os.stat(folder).st_mtime  # noqa: SLF001
    with pytest.raises(ImportError):
        importlib.import_module("bp_fresh_pkg")
    package_install.invalidate_file_finders()
    try:
        assert importlib.import_module("bp_fresh_pkg").VALUE == 42
    finally:
        sys.modules.pop("bp_fresh_pkg", None)


def test_the_reset_drops_remembered_misses_and_reads_no_zip(tmp_path, monkeypatch):
    missing = str(tmp_path / "not-yet")
    monkeypatch.setitem(sys.path_importer_cache, missing, None)
    package_install.invalidate_file_finders()
    assert missing not in sys.path_importer_cache
    # zip importers keep their directory (the stdlib zip did not change): nothing re-reads it
    import zipimport
    monkeypatch.setattr(zipimport.zipimporter, "invalidate_caches",
                        lambda self: pytest.fail("the reset re-read a zip archive's directory"))
    package_install.invalidate_file_finders()


def test_install_swaps_the_cache_reset_until_restore():
    original = importlib.invalidate_caches
    try:
        package_install.install()
        assert importlib.invalidate_caches is package_install.invalidate_file_finders
    finally:
        package_install.restore()
        if "whl" in {name for name, _e, _d in shutil.get_unpack_formats()}:
            shutil.unregister_unpack_format("whl")
    assert importlib.invalidate_caches is original


def test_install_registers_the_whl_format_once(tmp_path):
    before = {name for name, _e, _d in shutil.get_unpack_formats()}
    try:
        package_install.install()
        package_install.install()  # Pyodide registered "whl" already; installing again replaces, never duplicates
        formats = {name: ext for name, ext, _d in shutil.get_unpack_formats()}
        assert formats["whl"] == [".whl", ".wheel"]
        archive = make_wheel(tmp_path / "i-1.0-py3-none-any.whl", {"i/__init__.py": b"X = 1\n"})
        shutil.unpack_archive(str(archive), str(tmp_path / "out"))
        assert (tmp_path / "out" / "i" / "__init__.py").read_bytes() == b"X = 1\n"
    finally:
        package_install.restore()
        if "whl" not in before:
            shutil.unregister_unpack_format("whl")
