"""Run INSIDE Pyodide (tools/precompile.mjs) by build.py: Pyodide's own interpreter compiles the stdlib zip and the
wheels to .pyc, so the bytecode magic is always the one the page's Python reads.

Input: a JSON job file (argv[1]); output: the derived zips and a JSON report (argv[2]). Deterministic: files in
sorted order, fixed zip dates and modes, unchecked hash-based .pyc (PEP 552: no timestamps, never revalidated),
one fresh interpreter per build step. Standard library only.
"""

import base64
import hashlib
import importlib._bootstrap_external as bootstrap
import importlib.util
import json
import sys
import zipfile

DATE = (1980, 1, 1, 0, 0, 0)


def pyc(source: bytes, filename: str) -> bytes:
    code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    return bytes(bootstrap._code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def dropped(name: str, rules: dict) -> bool:
    parts = name.split("/")
    if any(p in rules.get("dirs", ()) for p in parts[:-1]):
        return True
    if any(name.startswith(prefix) for prefix in rules.get("prefixes", ())):
        return True
    if ".dist-info/" in name:
        return False
    return any(name.endswith(suffix) for suffix in rules.get("suffixes", ()))


def record(files: list, dist_info: str) -> bytes:
    lines = []
    for name, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        lines.append(f"{name},sha256={digest},{len(data)}")
    lines.append(f"{dist_info}/RECORD,,")
    return ("\n".join(lines) + "\n").encode()


def derive(job: dict) -> dict:
    out, drops, compiled = [], [], 0
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(job["src"]) as z:
        members = sorted((i for i in z.infolist() if not i.is_dir()), key=lambda i: i.filename)
        dist_info = next((i.filename.split("/")[0] for i in members if i.filename.endswith(".dist-info/RECORD")), None)
        for info in members:
            name = info.filename
            if dist_info and name == f"{dist_info}/RECORD":
                continue
            if dropped(name, job["drop"]):
                drops.append([name, info.file_size])
                continue
            data = z.read(info)
            if name.endswith(".py"):
                code = pyc(data, job["prefix"] + name)
                compiled += 1
                if job["keep_source"]:
                    head, _, base = name.rpartition("/")
                    out.append((name, data))
                    out.append(((head + "/" if head else "") + f"__pycache__/{base[:-3]}.{tag}.pyc", code))
                else:
                    out.append((name + "c", code))
            else:
                out.append((name, data))
    out.sort()
    if dist_info:
        out.append((f"{dist_info}/RECORD", record(out, dist_info)))
    with zipfile.ZipFile(job["dst"], "w") as z:
        for name, data in out:
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return {"compiled": compiled, "dropped": drops, "dropped_bytes": sum(n for _, n in drops),
            "magic": importlib.util.MAGIC_NUMBER.hex(), "python": sys.version.split()[0]}


def main(job_file: str, report_file: str) -> None:
    with open(job_file) as f:
        jobs = json.load(f)
    report = {job["dst"]: derive(job) for job in jobs}
    with open(report_file, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
