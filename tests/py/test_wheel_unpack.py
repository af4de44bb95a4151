"""The worker's one-pass wheel reader (worker/wheel_unpack.py) writes exactly what shutil's zip reader writes."""
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from backdoor_playground.worker import wheel_unpack

PACKAGE = Path(wheel_unpack.__file__).resolve().parents[1]


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
    wheel_unpack.unpack_wheel(str(archive), str(fast))
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
        wheel_unpack.unpack_wheel(str(archive), str(tmp_path / "out"))


def test_unsafe_paths_go_to_shutils_reader_which_skips_them(tmp_path):
    archive = make_wheel(tmp_path / "u.whl", {"ok.txt": b"fine", "../escape.txt": b"no"})
    with pytest.raises(wheel_unpack.UnsupportedArchive, match="outside"):
        wheel_unpack.members(archive.read_bytes())
    fast, reference = both(archive, tmp_path)
    assert fast == reference == {"ok.txt": b"fine"}
    assert not (tmp_path / "escape.txt").exists()


def test_not_a_zip_is_refused_like_shutil(tmp_path):
    archive = tmp_path / "n.whl"
    archive.write_bytes(b"not a zip at all")
    with pytest.raises(wheel_unpack.UnsupportedArchive):
        wheel_unpack.members(archive.read_bytes())
    with pytest.raises(shutil.ReadError):
        wheel_unpack.unpack_wheel(str(archive), str(tmp_path / "out"))


def test_install_registers_the_whl_format_once(tmp_path):
    before = {name for name, _e, _d in shutil.get_unpack_formats()}
    try:
        wheel_unpack.install()
        wheel_unpack.install()  # Pyodide registered "whl" already; installing again replaces, never duplicates
        formats = {name: ext for name, ext, _d in shutil.get_unpack_formats()}
        assert formats["whl"] == [".whl", ".wheel"]
        archive = make_wheel(tmp_path / "i-1.0-py3-none-any.whl", {"i/__init__.py": b"X = 1\n"})
        shutil.unpack_archive(str(archive), str(tmp_path / "out"))
        assert (tmp_path / "out" / "i" / "__init__.py").read_bytes() == b"X = 1\n"
    finally:
        if "whl" not in before:
            shutil.unregister_unpack_format("whl")
