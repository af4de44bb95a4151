"""Shared by every tier. Kept free of browser imports: this file is also collected inside Pyodide."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# CPython runs the package from the source tree; inside Pyodide it is imported from the installed wheel.
if sys.platform != "emscripten":
    sys.path.insert(0, str(ROOT / "py"))
    os.environ.setdefault("BP_DIST", str(ROOT / "dist"))
