"""Backdoor Playground: small MLPs on 2-D data, with cryptographic backdoors and defenses.

The math modules import only numpy and the standard library; `api` is the one module the
browser worker calls.
"""

__version__ = "0.1.0"

# The checksum operators ("relu_csum", ...) are a family plugged into the plain network's activation registry
# (playground/activations.py knows no checksum). Importing the checksum package registers them here, once, before
# any model, config, model file or test can name them.
from . import checksum as _checksum  # noqa: E402,F401
