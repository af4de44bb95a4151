"""A fully connected network (MLP) built from a shape list, as TensorFlow Playground's `buildNetwork`.

Layer l computes post[l] = f_l(post[l-1] @ weights[l] + biases[l]), with post[-1] = the inputs; the last
layer is the output: one node (TF Playground; K = 2 classes or regression), or K nodes for K > 2 classes (their
logits; playground/classes.py reads them through the softmax). As in tinynn, the shape list decides.

Storage, chosen so that one training step costs few numpy calls: all parameters live in ONE flat float64 vector
made of one block per layer, the (n_in + 1, n_out) matrix [weights[l]; biases[l]]. With a row of ones under a layer's
inputs, one matmul does "W.x + b" and one gives the gradient of weights and bias together; the trainer updates the
whole network with one vector operation. `weights[l]`, `biases[l]` (and the `dead` flags, laid out the same way) are
views into those vectors. If a caller replaces one of those arrays instead of writing into it, `parameter_vector()`
notices and re-packs, so hand edits and imports stay safe.

The math works node-major (`forward_nodes`, `backward_nodes`): arrays of shape (nodes, points), so a
hidden layer's outputs are the first rows of a C-contiguous buffer whose last row is the ones. Every
elementwise pass then runs on contiguous memory, which in Pyodide costs half as much as the same pass over
a strided view. `forward` / `backward` wrap them in the familiar point-major shapes (as transposed views).

Operators of a registered family (playground/activations.py) read the model's `operator_params`, an object the
network carries, copies and saves without reading it (None means the family's defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from . import activations as registry
from .activations import Activation, get_activation
from .arrays import as_bool_array, as_float_array, as_size, with_ones_row

INIT_BIAS = 0.1        # TensorFlow Playground's initial bias
INIT_HALF_WIDTH = 0.5  # weights ~ U(-0.5, 0.5), TensorFlow Playground's Math.random() - 0.5


MAX_OUTPUTS = 10  # K <= 10 classes (playground/classes.py)


def _output_size(n: int, what: str) -> int:
    """1 (one output node) or 3..MAX_OUTPUTS (K logits); a 2-node output is refused: K = 2 uses one tanh node."""
    if n != 1 and not 3 <= n <= MAX_OUTPUTS:
        raise ValueError(f"{what}: the output layer must have 1 node (K = 2 or regression) or 3..{MAX_OUTPUTS} "
                         f"nodes (one per class), got {n}")
    return n


@dataclass
class NodeCache:
    """A node-major forward pass: pre[l], post[l] are (layer size, m); layer_inputs[l] is
    [input of layer l; 1], (layer_sizes[l] + 1, m), with post[l] = layer_inputs[l + 1][:-1]."""
    pre: list[np.ndarray]
    post: list[np.ndarray]
    layer_inputs: list[np.ndarray]


@dataclass
class Cache:
    """Everything one forward pass computed: inputs, and per layer the pre- and post-activations."""
    inputs: np.ndarray      # (n, n_inputs)
    pre: list[np.ndarray]   # pre[l]: (n, layer_sizes[l + 1])
    post: list[np.ndarray]  # post[l]: (n, layer_sizes[l + 1]); post[-1] is the output, (n, 1)
    nodes: NodeCache | None = None  # the same pass node-major (pre/post above are its transposes)

    @property
    def output(self) -> np.ndarray:
        return self.post[-1]


class MLP:
    """Multi-layer perceptron with per-layer activations; see the module docstring for the layout."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    dead: list[np.ndarray]
    activation_names: list[str]
    layer_sizes: tuple[int, ...]
    operator_params: Any  # what family operators read (opaque here); None -> the family's defaults

    def __init__(
        self,
        n_inputs: int,
        hidden: Sequence[int],
        activations: Sequence[str],
        output_activation: str,
        rng: np.random.Generator | None,
        init_zero: bool = False,
        operator_params: Any = None,
        n_outputs: int = 1,
    ) -> None:
        """Weights ~ U(-0.5, 0.5) drawn layer by layer from `rng`, biases 0.1; all zero with init_zero."""
        n_inputs = as_size(n_inputs, "n_inputs", 0)
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
            raise ValueError(f"hidden must be a list of layer sizes, got {hidden!r}")
        hidden = [as_size(h, f"hidden[{i}]", 1) for i, h in enumerate(hidden)]
        if isinstance(activations, (str, bytes)) or len(activations) != len(hidden):
            raise ValueError(
                f"activations must name one activation per hidden layer ({len(hidden)}), "
                f"got {activations!r}"
            )
        names = [*activations, output_activation]
        registry.check_operator_params(operator_params)
        self.operator_params = operator_params
        for name in names:
            get_activation(name)
        if not init_zero and rng is None:
            raise ValueError("rng is required unless init_zero is set")
        sizes = (n_inputs, *hidden, _output_size(as_size(n_outputs, "n_outputs", 1), "n_outputs"))
        weights, biases = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            if init_zero:
                weights.append(np.zeros((n_in, n_out)))
            else:
                weights.append(rng.uniform(-INIT_HALF_WIDTH, INIT_HALF_WIDTH, size=(n_in, n_out)))
            biases.append(np.full(n_out, 0.0 if init_zero else INIT_BIAS))
        dead = [np.zeros(w.shape, dtype=bool) for w in weights]
        self._install(sizes, names, weights, biases, dead)

    # ----- storage -------------------------------------------------------------------------------------

    def _install(
        self,
        sizes: Sequence[int],
        names: Sequence[str],
        weights: Sequence[Any],
        biases: Sequence[Any],
        dead: Sequence[Any],
    ) -> None:
        """Copy the given (already validated) arrays into fresh flat buffers and expose views of them."""
        self.layer_sizes = tuple(int(s) for s in sizes)
        self.activation_names = list(names)
        total = sum((a + 1) * b for a, b in zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self._params = np.empty(total, dtype=np.float64)
        self._dead_flat = np.zeros(total, dtype=bool)
        self._weight_mask = np.ones(total, dtype=bool)
        self._blocks = self.blocks_of(self._params)
        self._w_views = [block[:-1] for block in self._blocks]
        self._b_views = [block[-1] for block in self._blocks]
        self._d_views = [block[:-1] for block in self.blocks_of(self._dead_flat)]
        for block in self.blocks_of(self._weight_mask):
            block[-1] = False
        self._weight_mask.flags.writeable = False
        for target, source in zip(
            (*self._w_views, *self._b_views, *self._d_views), (*weights, *biases, *dead)
        ):
            target[...] = source
        self._blocks_transposed = [block.T for block in self._blocks]
        self.weights = list(self._w_views)
        self.biases = list(self._b_views)
        self.dead = list(self._d_views)
        self._act_key: tuple[Any, ...] = ()
        self._acts: tuple[Activation, ...] = ()
        self.activation_functions()

    def blocks_of(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-layer (n_in + 1, n_out) views [W_l; b_l] of a flat vector laid out like the parameters."""
        blocks, offset = [], 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            size = (n_in + 1) * n_out
            blocks.append(flat[offset:offset + size].reshape(n_in + 1, n_out))
            offset += size
        return blocks

    def _packed(self) -> bool:
        """True when weights/biases/dead still hold exactly the views of the flat buffers."""
        n = len(self._w_views)
        if len(self.weights) != n or len(self.biases) != n or len(self.dead) != n:
            return False
        return (
            all(a is b for a, b in zip(self.weights, self._w_views))
            and all(a is b for a, b in zip(self.biases, self._b_views))
            and all(a is b for a, b in zip(self.dead, self._d_views))
        )

    def parameter_vector(self) -> np.ndarray:
        """The flat vector [W_0; b_0].ravel() ++ [W_1; b_1].ravel() ++ ... that weights/biases view.

        Re-packs first (validating shapes) if a caller replaced any of the weights/biases/dead arrays.
        """
        if not self._packed():
            n_layers = len(self._w_views)
            for what, arrays in (("weights", self.weights), ("biases", self.biases), ("dead", self.dead)):
                if len(arrays) != n_layers:
                    raise ValueError(f"{what}: expected {n_layers} layers, got {len(arrays)}")
            self._install(
                self.layer_sizes,
                self.activation_names,
                [as_float_array(w, v.shape, f"weights[{l}]", finite=False)
                 for l, (w, v) in enumerate(zip(self.weights, self._w_views))],
                [as_float_array(b, v.shape, f"biases[{l}]", finite=False)
                 for l, (b, v) in enumerate(zip(self.biases, self._b_views))],
                [as_bool_array(d, v.shape, f"dead[{l}]")
                 for l, (d, v) in enumerate(zip(self.dead, self._d_views))],
            )
        return self._params

    def dead_vector(self) -> np.ndarray:
        """Flat bool vector laid out like parameter_vector() that `dead` views (always False on biases)."""
        self.parameter_vector()
        return self._dead_flat

    def weight_mask(self) -> np.ndarray:
        """Read-only flat bool vector laid out like parameter_vector(): True on weights, False on biases."""
        self.parameter_vector()
        return self._weight_mask

    def new_gradient_buffer(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """A zero vector laid out like parameter_vector(), and its per-layer [dW; db] block views."""
        flat = np.zeros_like(self.parameter_vector())
        return flat, self.blocks_of(flat)

    def node_buffers(self, m: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each hidden layer a fresh (size + 1, m) array whose last row is 1, and a view of the rest."""
        buffers = []
        for size in self.layer_sizes[1:-1]:
            buf = np.empty((size + 1, m))
            buf[-1] = 1.0
            buffers.append((buf, buf[:-1]))
        return buffers

    def activation_functions(self) -> tuple[Activation, ...]:
        """The Activation of every layer (hidden, then output), looked up from activation_names."""
        params = getattr(self, "operator_params", None)
        key = (*self.activation_names, params)
        if key != self._act_key:
            if len(key) - 1 != len(self.layer_sizes) - 1:
                raise ValueError(
                    f"activation_names: expected {len(self.layer_sizes) - 1} names, got {len(key) - 1}"
                )
            self._acts = tuple(get_activation(name, params) for name in key[:-1])
            self._intos = tuple(act.f_into or act.apply_into for act in self._acts)
            self._act_key = key
        return self._acts

    # ----- math ----------------------------------------------------------------------------------------
    # forward_nodes / backward_nodes are the hot path (training, the grid): no validation and no
    # error-state handling; call parameter_vector() and activation_functions() after any change first.

    def forward_nodes(
        self, inputs: np.ndarray, buffers: list[tuple[np.ndarray, np.ndarray]]
    ) -> NodeCache:
        """pre[l] = [W_l; b_l]^T [a_(l-1); 1], post[l] = f_l(pre[l]) on inputs [X^T; 1] (n_inputs + 1, m).

        Hidden outputs are written into `buffers` (as from node_buffers(m)): reused, not allocated.
        """
        pre: list[np.ndarray] = []
        post: list[np.ndarray] = []
        layer_inputs = [inputs]
        a = inputs
        for block_t, into, (buf, out) in zip(self._blocks_transposed, self._intos, buffers):
            z = block_t @ a
            into(z, out)
            pre.append(z)
            post.append(out)
            layer_inputs.append(buf)
            a = buf
        z = self._blocks_transposed[-1] @ a
        pre.append(z)
        post.append(self._acts[-1].f(z))
        return NodeCache(pre, post, layer_inputs)

    def backward_nodes(self, cache: NodeCache, d_out: np.ndarray, grads: list[np.ndarray]) -> None:
        """grads[l] = SUM over points of d loss / d [W_l; b_l], given d_out = d loss / d out, (outputs, m)."""
        acts, pre, post, layer_inputs = self._acts, cache.pre, cache.post, cache.layer_inputs
        d = d_out
        for l in range(len(acts) - 1, -1, -1):
            d = d * acts[l].df(pre[l], post[l])
            np.matmul(layer_inputs[l], d.T, out=grads[l])
            if l:
                d = self._w_views[l] @ d

    def _check_inputs(self, X: Any) -> np.ndarray:
        """X as a float64 (n, n_inputs) array; ValueError otherwise."""
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"inputs: not an array of numbers ({exc})") from None
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"inputs: expected shape (n, {self.layer_sizes[0]}), got {X.shape}")
        return X

    def forward(self, X: Any) -> Cache:
        """Cache of pre[l] = post[l-1] @ W_l + b_l and post[l] = f_l(pre[l]) for every layer."""
        X = self._check_inputs(X)
        self.parameter_vector()
        self.activation_functions()
        with np.errstate(all="ignore"):  # diverged (NaN/huge) weights must not warn or raise
            nodes = self.forward_nodes(with_ones_row(X.T), self.node_buffers(X.shape[0]))
        return Cache(X, [p.T for p in nodes.pre], [p.T for p in nodes.post], nodes)

    def predict(self, X: Any) -> np.ndarray:
        """The output node's value for each row of X: shape (n,); (n, K) for a network with K output nodes."""
        out = self.forward(X).post[-1]
        return out[:, 0] if out.shape[1] == 1 else out

    def node_outputs(self, X: Any) -> list[np.ndarray]:
        """post[l] for every layer (hidden layers, then the output), each (n, layer size)."""
        return self.forward(X).post

    def backward(self, cache: Cache, d_out: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Mean over rows of dL/dW_l and dL/db_l, where d_out[i] = dL_i/d out_i (shape (n,) or (n, 1); (n, K) for K
        output nodes)."""
        n = cache.inputs.shape[0]
        k = self.layer_sizes[-1]
        d_out = np.asarray(d_out, dtype=np.float64)
        if k > 1:
            if d_out.shape != (n, k):
                raise ValueError(f"d_out: expected shape ({n}, {k}), got {d_out.shape}")
        elif d_out.size != n or d_out.ndim > 2 or (d_out.ndim == 2 and d_out.shape[1] != 1):
            raise ValueError(f"d_out: expected shape ({n},) or ({n}, 1), got {d_out.shape}")
        if n == 0:
            raise ValueError("backward needs at least one point")
        self.parameter_vector()
        self.activation_functions()
        nodes = cache.nodes
        if nodes is None:  # a hand-made Cache: rebuild the node-major arrays
            nodes = NodeCache(
                [p.T for p in cache.pre],
                [p.T for p in cache.post],
                [with_ones_row(a.T) for a in (cache.inputs, *cache.post[:-1])],
            )
        flat, blocks = self.new_gradient_buffer()
        with np.errstate(all="ignore"):
            self.backward_nodes(nodes, d_out.reshape(n, k).T if k > 1 else d_out.reshape(1, n), blocks)
            flat /= n
        return [block[:-1] for block in blocks], [block[-1] for block in blocks]

    # ----- copies and plain data -----------------------------------------------------------------------

    def copy(self) -> "MLP":
        """An independent deep copy (same sizes, activations, parameters and dead links)."""
        self.parameter_vector()
        clone = MLP.__new__(MLP)
        clone.operator_params = getattr(self, "operator_params", None)
        clone._install(self.layer_sizes, self.activation_names, self.weights, self.biases, self.dead)
        return clone

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: layer_sizes, activation_names, weights, biases, dead (nested lists), and the
        operator parameters under their family's field when the model has them."""
        self.parameter_vector()
        out = {
            "layer_sizes": list(self.layer_sizes),
            "activation_names": list(self.activation_names),
            "weights": [w.tolist() for w in self.weights],
            "biases": [b.tolist() for b in self.biases],
            "dead": [d.tolist() for d in self.dead],
        }
        out.update(registry.operator_params_to_dict(getattr(self, "operator_params", None)))
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "MLP":
        """Rebuild a model from to_dict() data, validating every field; `dead` and operator parameters may be
        omitted."""
        if not isinstance(d, Mapping):
            raise ValueError(f"model must be an object, got {type(d).__name__}")
        missing = [k for k in ("layer_sizes", "activation_names", "weights", "biases") if k not in d]
        if missing:
            raise ValueError(f"model is missing field(s): {', '.join(missing)}")
        raw_sizes = d["layer_sizes"]
        if isinstance(raw_sizes, (str, bytes, Mapping)) or not isinstance(raw_sizes, Sequence):
            raise ValueError(f"layer_sizes must be a list of integers, got {raw_sizes!r}")
        if len(raw_sizes) < 2:
            raise ValueError(f"layer_sizes needs at least inputs and output, got {list(raw_sizes)!r}")
        sizes = [as_size(raw_sizes[0], "layer_sizes[0]", 0)]
        sizes += [as_size(s, f"layer_sizes[{i}]", 1) for i, s in enumerate(raw_sizes[1:], 1)]
        _output_size(sizes[-1], "layer_sizes")
        n_layers = len(sizes) - 1
        names = d["activation_names"]
        if isinstance(names, (str, bytes)) or not isinstance(names, Sequence) or len(names) != n_layers:
            raise ValueError(f"activation_names must list {n_layers} activation names, got {names!r}")
        for i, name in enumerate(names):
            if not isinstance(name, str):
                raise ValueError(f"activation_names[{i}] must be a string, got {name!r}")
            get_activation(name)
        shapes = list(zip(sizes[:-1], sizes[1:]))
        fields: dict[str, list[np.ndarray]] = {}
        for key in ("weights", "biases", "dead"):
            value = d.get(key)
            if key == "dead" and value is None:
                fields[key] = [np.zeros(s, dtype=bool) for s in shapes]
                continue
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
                raise ValueError(f"{key} must be a list with one entry per layer")
            if len(value) != n_layers:
                raise ValueError(f"{key}: expected {n_layers} layers, got {len(value)}")
            if key == "weights":
                fields[key] = [as_float_array(v, s, f"weights[{l}]", finite=True)
                               for l, (v, s) in enumerate(zip(value, shapes))]
            elif key == "biases":
                fields[key] = [as_float_array(v, (s[1],), f"biases[{l}]", finite=True)
                               for l, (v, s) in enumerate(zip(value, shapes))]
            else:
                fields[key] = [as_bool_array(v, s, f"dead[{l}]") for l, (v, s) in enumerate(zip(value, shapes))]
        model = cls.__new__(cls)
        model.operator_params = registry.operator_params_from_dict(d)
        model._install(sizes, list(names), fields["weights"], fields["biases"], fields["dead"])
        return model
