"""Backdoor Playground: small MLPs on 2-D data, with cryptographic backdoors and defenses.

The math modules import only numpy and the standard library; `api` is the one module the
browser worker calls.
"""

__version__ = "0.1.0"

# Nothing else is imported here: the playground loads first, and the backdoors, defenses and NN Calculator when a
# panel (a worker method) first needs them. The checksum operators ("relu_csum", ...) are a family of the plain
# network's activation registry that registers itself the first time a name, config or model file names it
# (playground/activations.py LAZY_FAMILIES).
