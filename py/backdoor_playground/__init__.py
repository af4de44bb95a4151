"""Backdoor Playground: small MLPs on 2-D data, with cryptographic backdoors and defenses.

The math modules import only numpy and the standard library; `api` is the one module the
browser worker calls.
"""

__version__ = "0.1.0"
