"""A fixed training scenario whose numbers must be the same in CPython and in Pyodide: prints one JSON line."""

import hashlib
import json
import sys

import numpy as np

from backdoor_playground.worker import api


def run() -> dict:
    out = {"platform": sys.platform, "numpy": np.__version__}
    for name, hash_ in (("circle_tanh", "dataset=circle&networkShape=4,2&activation=tanh&seed=agree"),
                        ("spiral_relu_l1", "dataset=spiral&networkShape=6,6&activation=relu&regularization=L1"
                                           "&regularizationRate=0.001&batchSize=7&noise=20&seed=agree2"
                                           "&xSquared=true&sinX=true")):
        snap = api.init(hash=hash_)
        frame = api.call("train", {"epochs": 25})
        weights = np.concatenate([np.ravel(w) for w in frame["weights"]])
        out[name] = {
            "data_sum": float(np.sum(snap["data"]["train"])),
            "loss_train": frame["loss_train"],
            "loss_test": frame["loss_test"],
            "weights": weights.tolist(),
            "grids_sha256": hashlib.sha256(bytes(frame["grids"])).hexdigest(),
        }
    return out


if __name__ == "__main__":
    print("SCENARIO " + json.dumps(run()))
