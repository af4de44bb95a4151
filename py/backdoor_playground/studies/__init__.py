"""Studies: the paper's open checks as reproducible runs (`python3 -m backdoor_playground study NAME`).

Each study module registers one `Study` in STUDIES (registry.py); the runner (runner.py) plans its jobs, maps them
on an executor (executors.py: local process pool, dask.distributed, ray), writes the tidy TSV, the summary, the JSON
record and the figure (figures.py, matplotlib optional). Nothing else branches on a study's name.
"""

from .registry import STUDIES, Study, get_study, load_all

__all__ = ["STUDIES", "Study", "get_study", "load_all"]
