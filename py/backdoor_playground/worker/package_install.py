"""Two steps of Pyodide's `loadPackage`, done faster for the worker's boot; Pyodide's own loadPackage (the lock, the
hashes, the shared libraries, the INSTALLER record) stays the loader. `install()` before it, `restore()` after.

1. Unpacking a wheel: Pyodide uses `shutil._unpack_zipfile`, which reads each member through zipfile's file objects
   and writes it through Python's buffered io. `unpack_wheel`, registered as shutil's "whl" unpack format, slices the
   archive by its central directory: one `zlib.decompress` and one `os.write` per file, each member's CRC-32 checked
   as zipfile checks it. The same files, byte for byte (tests/py/test_package_install.py), in about half the time.
2. The import caches: loadPackage ends with `importlib.invalidate_caches()`, which in Python 3.12 also re-reads the
   stdlib zip's directory (zipimporter) and imports importlib.metadata (for its finder), ~0.1 s in the browser that
   a new folder in site-packages does not need. `invalidate_file_finders` resets what does: the path finders'
   directory listings.

Standard library only: the worker runs this file's source before any package is installed (build.py writes it into
build-info.js), and the tests import it as a module.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import os
import shutil
import sys
import struct
import zlib

END_OF_DIRECTORY = b"PK\x05\x06"
CENTRAL_ENTRY = 0x02014B50
LOCAL_ENTRY = 0x04034B50
STORED, DEFLATED = 0, 8


class UnsupportedArchive(ValueError):
    """A zip this fast path does not read (zip64, another compression, an unsafe path): shutil's reader takes it."""


def members(data: bytes) -> list[tuple[str, int, int, int, int]]:
    """The central directory: (name, method, offset of the member's bytes, compressed size, crc32) per entry."""
    end = data.rfind(END_OF_DIRECTORY, max(0, len(data) - 65557))
    if end < 0:
        raise UnsupportedArchive("no end-of-central-directory record")
    count, _size, offset = struct.unpack_from("<HII", data, end + 10)
    if count == 0xFFFF or offset == 0xFFFFFFFF:
        raise UnsupportedArchive("zip64")
    out = []
    for _ in range(count):
        (sig, method, crc, csize, _usize, name_len, extra_len, comment_len, local) = struct.unpack_from(
            "<I6xH4xIII HHH8xI", data, offset)
        if sig != CENTRAL_ENTRY:
            raise UnsupportedArchive("bad central directory entry")
        name = data[offset + 46:offset + 46 + name_len].decode("utf-8")
        offset += 46 + name_len + extra_len + comment_len
        if method not in (STORED, DEFLATED):
            raise UnsupportedArchive(f"{name}: compression method {method}")
        if name.startswith("/") or ".." in name.split("/"):
            raise UnsupportedArchive(f"{name}: a path outside the target folder")
        (local_sig,) = struct.unpack_from("<I", data, local)
        if local_sig != LOCAL_ENTRY:
            raise UnsupportedArchive(f"{name}: bad local header")
        local_name_len, local_extra_len = struct.unpack_from("<HH", data, local + 26)
        out.append((name, method, local + 30 + local_name_len + local_extra_len, csize, crc))
    return out


def unpack_wheel(archive: str, extract_dir: str, **_kwargs) -> None:
    """shutil unpack-format function: every member of `archive` written under `extract_dir` (as zipfile would)."""
    with open(archive, "rb") as f:
        data = f.read()
    try:
        entries = members(data)
    except UnsupportedArchive:
        shutil._unpack_zipfile(archive, extract_dir)  # noqa: SLF001 (the reader Pyodide registers by default)
        return
    root = os.fspath(extract_dir)
    made: set[str] = set()
    for name, method, start, csize, crc in entries:
        path = os.path.join(root, name)
        if name.endswith("/"):
            os.makedirs(path, exist_ok=True)
            continue
        raw = data[start:start + csize]
        body = raw if method == STORED else zlib.decompress(raw, -15)
        if zlib.crc32(body) != crc:
            raise shutil.ReadError(f"{name}: CRC-32 mismatch in {archive}")
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # as open(path, "wb"): the umask decides
        try:
            view = memoryview(body)
            while view:  # a write may take fewer bytes than asked
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)


def invalidate_file_finders() -> None:
    """What `importlib.invalidate_caches` does that matters after new files land in a folder on sys.path: every path
    finder forgets its directory listing (and the zip importers keep theirs: the archives did not change)."""
    for path, finder in list(sys.path_importer_cache.items()):
        if finder is None:
            del sys.path_importer_cache[path]  # "no finder here" may be wrong now, as PathFinder reasons
        elif isinstance(finder, importlib.machinery.FileFinder):
            finder.invalidate_caches()
    metadata = sys.modules.get("importlib.metadata")  # only if something imported it already
    if metadata is not None:
        metadata.MetadataPathFinder().invalidate_caches()  # an instance: 3.11 lacks the classmethod


_invalidate_caches = importlib.invalidate_caches


def install() -> None:
    """Make `unpack_wheel` shutil's reader for .whl (Pyodide registered shutil._unpack_zipfile under "whl"), and
    `invalidate_file_finders` the cache reset loadPackage calls at its end (until `restore()`)."""
    if "whl" in {name for name, _ext, _desc in shutil.get_unpack_formats()}:
        shutil.unregister_unpack_format("whl")
    shutil.register_unpack_format("whl", [".whl", ".wheel"], unpack_wheel, description="Wheel file (one pass)")
    importlib.invalidate_caches = invalidate_file_finders


def restore() -> None:
    """importlib.invalidate_caches as it was (the one-pass wheel reader stays: it writes the same files)."""
    importlib.invalidate_caches = _invalidate_caches
