"""``taylorad.jit``: capture once, replay without re-tracing.

The first call with a new input signature (tree structure, shapes, dtypes, and the values of
non-array arguments) runs ``fun`` with its array inputs wrapped in *capture boxes* of a level-0
trace that sits below every transformation. Every value that depends on the inputs is therefore
a box, every operation on it goes through a taylorad primitive (operators and NumPy's dispatch
protocols included), and the capture trace records each primitive implementation that runs —
forward pass, Taylor rules and backward pass alike. Values that do not depend on the inputs are
constants of the recording. Later calls with that signature replay the recorded implementations
on the new inputs: no boxes, no tape, no rule dispatch; work that does not reach the outputs is
dropped. On NumPy arrays with numba installed, the recording is compiled by three passes
(``taylorad/cpu``): runs of Taylor kernels become one kernel (``chain``), runs of elementwise
arithmetic one loop (``fuse``), and a large run of elementwise passes one parallel region
(``region``: the threads hand off once and each runs every pass on its chunk). Each value stays
the one the op-by-op replay computes, bit for bit.

Anything that would make the recording input-dependent fails loudly while recording (Python
control flow on array values raises, as does converting a traced value to a NumPy array); ``fun``
then runs eagerly for that signature, with a warning. As a second guard, the first call whose
inputs differ from the recorded ones also runs ``fun`` eagerly and compares bit for bit.
"""
import functools
import itertools
import math
import operator
import sys
import threading
import warnings

import numpy as np

from .core import backend, buffers
from .core.switch import enabled
from .core.trace import STATE, Box, Trace, check_one_backend
from .core.tree import tree_flatten, tree_unflatten
from .cpu.threads import may_split, parallel_ufunc
from .numpy._util import array_namespace
from .numpy.products import is_outer

__all__ = ["jit"]


class _CaptureBox(Box):
    __slots__ = ("_slot",)

    def __init__(self, value, trace, slot):
        self._primal = value
        self._trace = trace
        self._slot = slot


class _CaptureTrace(Trace):
    __slots__ = ("ops", "n", "unsafe", "scalar", "made", "meta")

    def __init__(self):
        super().__init__()
        self.level = 0  # below every transformation; getval() stops here
        self.ops = []  # (primitive, specs, params, out slot)
        self.n = 0
        self.unsafe = None
        self.scalar = {}  # slot -> shape, for slots that held one float64 number
        self.made = {}  # slot -> (primitive name, arguments, params) of concatenate and reshape
        self.meta = {}  # slot -> (array type, shape, dtype) of the value it held

    def box(self, value):
        b = _CaptureBox(value, self, self.n)
        if _is_array(value):
            self.meta[self.n] = (type(value), tuple(value.shape), value.dtype)
        if _is_f64_scalar(value):
            self.scalar[self.n] = tuple(np.shape(value))
        self.n += 1
        return b

    def process(self, prim, args, params):
        specs, vals = [], []
        for a in args:
            if isinstance(a, _CaptureBox):
                specs.append((a._slot, None))
                vals.append(a._primal)
            else:
                specs.append((None, a))
                vals.append(a)
        if any(_holds_box(v) for v in params.values()):
            self.unsafe = f"'{prim.name}' takes a computed array as a static parameter"
            params = {k: _unbox_param(v) for k, v in params.items()}
        try:
            value = prim.impl(*vals, **params)
        except TypeError:
            check_one_backend(prim, vals)
            raise
        same = _identity_operand(prim.name, args, value)
        if same is None and prim.name == "getitem":
            same = self._unstacked(args[0], params["idx"], value)
        if same is not None:  # x·1, or a row of a stack: the value already has a slot
            return same
        out = self.box(value)
        self.ops.append((prim, tuple(specs), params, out._slot))
        if prim.name in ("concatenate", "reshape"):  # what _unstacked looks up (the operands
            self.made[out._slot] = (prim.name, args, params)  # of every call: all values alive)
        return out

    def _unstacked(self, stacked, idx, value):
        """``stack([y₀, y₁, …])[k]`` is ``y_k``: Taylor rules stack coefficients that the next
        rule indexes again; under capture the pair need not run at all."""
        if not (isinstance(stacked, _CaptureBox) and len(idx) == 1 and type(idx[0]) is int):
            return None
        made = self.made.get(stacked._slot)
        if made is None or made[0] != "concatenate" or made[2]["axis"] != 0:
            return None
        pieces = made[1]
        if not all(getattr(p, "shape", (None,))[:1] == (1,) for p in pieces):
            return None
        k = idx[0]
        if not -len(pieces) <= k < len(pieces):
            return None
        row = self.made.get(getattr(pieces[k], "_slot", None))
        if row is None or row[0] != "reshape":
            return None
        src = row[1][0]
        v = src._primal if isinstance(src, _CaptureBox) else src
        if not isinstance(src, _CaptureBox) or getattr(v, "shape", None) != value.shape or \
                getattr(v, "dtype", None) != value.dtype:
            return None
        return src


def _is_one(c):
    return (isinstance(c, (int, float, np.number)) or
            (type(c) is np.ndarray and c.ndim == 0)) and not isinstance(c, bool) and c == 1


def _identity_operand(name, args, value):
    """The captured operand x when the call was x·1 or 1·x with x's shape and dtype, or the
    concatenation of x alone (values in a program are never written to, so a copy is not
    needed)."""
    if name == "concatenate" and len(args) == 1 and isinstance(args[0], _CaptureBox):
        v = args[0]._primal
        return args[0] if getattr(v, "shape", None) == getattr(value, "shape", ()) else None
    if name != "multiply":
        return None
    for x, c in ((args[0], args[1]), (args[1], args[0])):
        if isinstance(x, _CaptureBox) and not isinstance(c, Box) and _is_one(c):
            v = x._primal
            if getattr(v, "shape", None) == getattr(value, "shape", ()) and \
                    getattr(v, "dtype", None) == getattr(value, "dtype", None):
                return x
    return None


def _holds_box(v):
    return isinstance(v, Box) or (isinstance(v, tuple) and any(isinstance(u, Box) for u in v))


def _unbox_param(v):
    if isinstance(v, tuple):
        return tuple(u._primal if isinstance(u, _CaptureBox) else u for u in v)
    return v._primal if isinstance(v, _CaptureBox) else v


def _is_f64_scalar(v):
    """One float64 number: a NumPy scalar or an array of size 1 (shape (), (1,), …)."""
    return (type(v) is np.float64 or
            (type(v) is np.ndarray and v.size == 1 and v.dtype == np.float64))


def _shaped(v, shape):
    """A number held as a Python float, back as an array of its recorded shape."""
    return np.array(v).reshape(shape)


def _spow(a, b):
    r = a ** b
    if type(r) is complex:  # NumPy gives nan here: leave it to the array program
        raise ValueError("complex power")
    return r


# Python-float versions of primitives, for recordings of scalar code (a 0-d NumPy operation costs
# ~0.5 µs, the float one ~0.05 µs). Results agree with NumPy's to an ulp; where NumPy would give
# inf or nan (log 0, 1/0, overflow) the float version raises and the array program runs instead.
_SCALAR = {
    "add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
    "divide": operator.truediv, "negative": operator.neg, "power": _spow,
    "square": lambda x: x * x, "absolute": abs, "sqrt": math.sqrt, "exp": math.exp,
    "log": math.log, "log1p": math.log1p, "expm1": math.expm1, "sin": math.sin, "cos": math.cos,
    "tan": math.tan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "arctanh": math.atanh, "arcsin": math.asin, "arccos": math.acos, "arctan": math.atan,
    "arcsinh": math.asinh, "arccosh": math.acosh,
    "sigmoid": lambda x: math.tanh(x * 0.5) * 0.5 + 0.5,
}


_INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/"}


def _basic_index(idx):
    """An index NumPy applies as a view with no checks of ours (ints, slices, None, Ellipsis)."""
    items = idx if type(idx) is tuple else (idx,)
    return all(type(i) in (int, slice) or i is None or i is Ellipsis for i in items)


_SMALL = 64  # elements: index_add_many outputs summed in Python floats


def _index_add_many(idxs, shape, float64=False):
    """index_add_many specialised to its static indices (which ones are advanced is known once);
    ``float64``: every operand is known to be a float64 NumPy array or a Python float."""
    adv = [not _basic_index(idx) for idx in idxs]
    # basic indices that never overlap can be assigned rather than added; if they also cover
    # every element the output need not be zeroed first (x[0::2], x[1::2] → one gradient)
    count = np.zeros(shape, np.int8)
    if not any(adv):
        for idx in idxs:
            count[idx] += 1
    disjoint = not any(adv) and count.max(initial=0) <= 1
    cover = disjoint and count.min(initial=1) == 1

    def impl(*values):
        xp = array_namespace(*values)
        dtype = np.result_type(*(v.dtype if hasattr(v, "dtype") else v for v in values))
        if disjoint:
            if cover:  # recycled memory for large outputs: no fresh pages to fault in
                z = buffers.empty(shape, dtype) if xp is np else xp.empty(shape, dtype=dtype)
            else:
                z = xp.zeros(shape, dtype=dtype)
            for v, idx in zip(values, idxs):
                z[idx] = v
            return z
        z = xp.zeros(shape, dtype=dtype)
        for v, idx, a in zip(values, idxs, adv):
            if a:
                xp.add.at(z, idx, v)
            else:
                z[idx] += v
        return z

    size = math.prod(shape)
    if float64 and disjoint and size > _SMALL:  # no namespace or dtype to find per call
        make = buffers.empty if cover else np.zeros
        pieces = tuple(idxs)

        def assign(*values):
            z = make(shape, np.float64)
            for v, idx in zip(values, pieces):
                z[idx] = v
            return z

        return assign
    if any(adv) or size > _SMALL:
        return impl
    # a gradient of a few elements: sum in Python floats (in NumPy's order: from 0.0, one
    # value after another) and make one array, instead of a dozen tiny NumPy operations
    flat = np.arange(size).reshape(shape)
    positions = [flat[idx].ravel().tolist() for idx in idxs]

    def small(*values):
        acc = [0.0] * size
        for v, pos in zip(values, positions):
            t = type(v)
            if t is not float:
                if (t is not np.ndarray and t is not np.float64) or v.dtype != np.float64:
                    return impl(*values)
                if v.size != len(pos):
                    if v.size != 1:
                        return impl(*values)
                    v = float(v.item())
                else:
                    for p, x in zip(pos, v.ravel().tolist()):
                        acc[p] += x
                    continue
            for p in pos:
                acc[p] += v
        return np.array(acc).reshape(shape)

    return small


def _literal(value, name):
    """Source for a static parameter: tuples of ints, ints, bools and None inline."""
    if value is None or type(value) in (int, bool) or (
            type(value) is tuple and all(type(v) is int for v in value)):
        return repr(value)
    return name(value, "p")


class _Program:
    __slots__ = ("n_in", "ops", "n_slots", "out_specs", "out_td", "inputs", "verified", "eager",
                 "run", "run_scalar", "scalar", "meta", "array_ops", "used")

    def __init__(self):
        self.ops, self.eager, self.verified, self.run, self.used = [], False, False, None, 0
        self.inputs = None
        self.run_scalar, self.scalar, self.meta, self.array_ops = None, {}, {}, None

    def compile(self):
        """Straight-line Python for the recorded calls: one direct call per primitive (runs of
        elementwise arithmetic fused into one numba kernel each, when numba is installed); and,
        when the recording is scalar code, a second version on Python floats."""
        self.array_ops = _fused(self.ops, self.meta, self.out_specs)
        self.run = self._source(scalar=False)
        # a size-1 array (not 0-d) is worth holding as a float only if float arithmetic uses it
        S = self.scalar
        floated = set()
        for prim, specs, params, out in self.ops:
            slots = [k for k, _ in specs if k is not None]
            if out in S and prim.name in _SCALAR and not params and all(k in S for k in slots):
                floated.update(slots)
                floated.add(out)
        self.scalar = {k: shape for k, shape in S.items() if shape == () or k in floated}
        if any(out in self.scalar and prim.name in _SCALAR for prim, _, _, out in self.ops):
            self.run_scalar = self._source(scalar=True)

    def _float64(self, specs, S):
        """Whether every operand is a float64 NumPy array at capture or a Python float."""
        for k, c in specs:
            if k is None:
                if type(c) is not float and not (type(c) is np.ndarray and c.dtype == np.float64):
                    return False
            elif k in S or self.meta.get(k, (None,))[0] is not np.ndarray or \
                    self.meta[k][2] != np.float64:
                return False
        return True

    def _direct(self, prim, specs, params, out, fn, name, arg):
        """The primitive's own NumPy call on NumPy arrays, spelled without its wrapper (which
        finds the array namespace and checks shapes on every call: ~0.5 µs, the whole cost of a
        small reshape or product), or None. ``fn``: the NumPy function the primitive is on these
        operands (``_numpy_function``). Only where the result is the same array, bit for bit:
        array methods the wrapper itself calls, ``fn`` itself, and for products of matrices
        ``ndarray.dot`` (the same GEMM call as ``np.matmul``; the test suite checks the two
        agree bit for bit) without the ~0.6 µs of matmul's gufunc set-up."""
        args = [arg(sp) for sp in specs]
        method = getattr(prim.impl, "method", None)  # numpy.shape's reshape, transpose, sum
        if method is not None:
            k = specs[0][0] if len(specs) == 1 else None
            m = self.meta.get(k)
            if k is None or m is None or m[0] is not np.ndarray or not m[1]:
                return None  # a constant, a 0-d value, or not a NumPy array at capture
            if method == "sum":
                return (f"{args[0]}.sum(axis={_literal(params['axis'], name)}, "
                        f"keepdims={_literal(params['keepdims'], name)})")
            return f"{args[0]}.{method}({', '.join(_literal(v, name) for v in params.values())})"
        if fn is np.concatenate:
            return f"{name(fn, 'u')}(({', '.join(args)},), axis={_literal(params['axis'], name)})"
        if fn is not np.matmul:
            return None if fn is None else f"{name(fn, 'u')}({', '.join(args)})"
        shapes = [self.meta[k][1] if k is not None else c.shape for k, c in specs]
        dtypes = {self.meta[k][2] if k is not None else c.dtype for k, c in specs}
        if len(dtypes) == 1 and all(len(s) >= 2 and all(s) and not any(d != 1 for d in s[:-2])
                                    for s in shapes):
            # matrices, or stacks of one matrix (a Taylor series of order 1): one GEMM
            a, b = (x if len(s) == 2 else f"{x}.reshape({s[-2:]!r})" for x, s in zip(args, shapes))
            out_shape = self.meta[out][1]
            return f"{a}.dot({b})" if len(out_shape) == 2 else \
                f"{a}.dot({b}).reshape({out_shape!r})"
        return f"{name(fn, 'u')}({', '.join(args)})"

    def _numpy_function(self, prim, specs, params, out):
        """The NumPy function (a ufunc, matmul, concatenate) equal to ``prim.impl`` on these
        operands when its result is a float NumPy array — for a rank-1 product, multiply — or
        None."""
        ufunc = getattr(prim, "ufunc", None)  # the fused kernels' stand-ins have none
        m = self.meta.get(out)
        if m is None:
            return None
        if ufunc is np.concatenate and set(params) == {"axis"} and all(
                k is not None or type(c) is np.ndarray for k, c in specs):
            ufunc, params = np.concatenate, {}
            if any(k is not None and self.meta.get(k, (None, None, None))[2] != m[2]
                   for k, _ in specs) or any(k is None and c.dtype != m[2] for k, c in specs):
                return None  # mixed dtypes: leave NumPy's promotion to NumPy's own call
        if ufunc is None or params or m[0] is not np.ndarray or \
                m[2] not in (np.float64, np.float32):
            return None
        for k, c in specs:
            if k is not None:
                mk = self.meta.get(k)
                if mk is None or mk[0] is not np.ndarray:
                    return None
            elif not (type(c) is np.ndarray or isinstance(c, (float, int, np.generic))):
                return None
        if ufunc is np.matmul and is_outer(*(self.meta[k][1] if k is not None else np.shape(c)
                                             for k, c in specs)):
            return np.multiply  # what the primitive itself runs for a rank-1 product
        return ufunc

    def _call(self, prim, specs, params, out, S, name, arg, array_arg, scalar):
        """(assignment target, expression, whether it is already a Python float) of one
        recorded call in the generated program."""
        if type(out) is tuple:  # a fused kernel with several results
            call = f"{name(prim.impl, 'f')}({', '.join(array_arg(sp) for sp in specs)})"
            return ", ".join(f"v{k}" for k in out), call, False
        slot_args = [k for k, _ in specs if k is not None]
        if (out in S and prim.name in _SCALAR and not params
                and all(k in S for k in slot_args)):  # Python floats: operators, math calls
            args = [arg(sp, as_float=True) for sp in specs]
            op = _INFIX.get(prim.name) if len(args) == 2 else None
            if op is not None:
                return f"v{out}", f"{args[0]} {op} {args[1]}", True
            if prim.name == "negative":
                return f"v{out}", f"-{args[0]}", True
            return f"v{out}", f"{name(_SCALAR[prim.name], 's')}({', '.join(args)})", True
        if prim.name == "getitem" and _basic_index(params["idx"]):
            target, idx = array_arg(specs[0]), params["idx"]
            ints = idx if type(idx) is tuple else (idx,)
            if (out in S and S[out] == () and all(type(j) is int for j in ints)
                    and specs[0][0] is not None and specs[0][0] not in S):
                return f"v{out}", f"{target}.item({', '.join(map(str, ints))})", True
            return f"v{out}", f"{target}[{name(idx, 'p')}]", False
        if prim.name == "index_add_many":
            impl = _index_add_many(params["idxs"], params["shape"], self._float64(specs, S))
            # a float added at a basic index broadcasts: no need to rebuild its array
            args = [arg(sp) if sp[0] in S and _basic_index(ix) else array_arg(sp)
                    for sp, ix in zip(specs, params["idxs"])]
            return f"v{out}", f"{name(impl, 'f')}({', '.join(args)})", False
        args = [array_arg(sp) for sp in specs]
        floats = any(k in S for k, _ in specs if k is not None)  # operands held as floats
        ufunc = None if floats else self._numpy_function(prim, specs, params, out)
        shape, dtype = self.meta.get(out, (None, None, None))[1:]
        # a fresh large array costs page faults on first write, often more than the operation
        if ufunc is None or scalar or math.prod(shape) * dtype.itemsize < buffers.POOL_MIN:
            direct = None if floats else self._direct(prim, specs, params, out, ufunc, name, arg)
            if direct is not None:
                return f"v{out}", direct, False
            args += [f"{key}={name(val, 'p')}" for key, val in params.items()]
            return f"v{out}", f"{name(prim.impl, 'f')}({', '.join(args)})", False
        # the same NumPy call, writing into recycled memory
        into = f"out=_empty({shape!r}, {name(dtype, 'd')})"
        if ufunc is np.concatenate:
            return f"v{out}", (f"{name(ufunc, 'u')}(({', '.join(args)},), "
                               f"axis={params['axis']!r}, {into})"), False
        if isinstance(ufunc, np.ufunc) and ufunc.signature is None and ufunc.nout == 1 and \
                may_split(ufunc, math.prod(shape)):
            # large elementwise calls split across threads (NumPy's ufuncs run on one)
            return f"v{out}", (f"_pufunc({name(ufunc, 'u')}, {', '.join(args)}, {into})"), False
        return f"v{out}", f"{name(ufunc, 'u')}({', '.join(args)}, {into})", False

    def _source(self, scalar):
        ns = {"_f64": np.float64, "_shaped": _shaped, "_empty": buffers.empty,
              "_pufunc": parallel_ufunc}

        def name(obj, prefix):
            key = f"{prefix}{len(ns)}"
            ns[key] = obj
            return key

        def arg(spec, as_float=False):
            k, c = spec
            if k is not None:
                return f"v{k}"
            if as_float and isinstance(c, np.floating) and np.ndim(c) == 0:
                c = float(c)
            return name(c, "c")

        S = self.scalar if scalar else {}

        def array_arg(spec):
            k = spec[0]
            return f"_shaped(v{k}, {S[k]!r})" if k in S and S[k] != () else arg(spec)

        lines = [f"def program({''.join(f'v{k}, ' for k in range(self.n_in))}):"]
        lines += [f"    v{k} = " + (f"float(v{k})" if S[k] == () else f"v{k}.item()")
                  for k in range(self.n_in) if k in S]
        # free each intermediate after its last use, so large temporaries die as early as in
        # eager code (their memory is then reused instead of freshly page-faulted)
        ops = self.ops if scalar else self.array_ops
        last = {}
        for i, (_, specs, _, _) in enumerate(ops):
            for k, _ in specs:
                if k is not None:
                    last[k] = i
        keep = {k for k, _ in self.out_specs if k is not None}
        dead = {}
        for k, i in last.items():
            if k not in keep and k >= self.n_in and not scalar:
                dead.setdefault(i, []).append(k)
        for i, (prim, specs, params, out) in enumerate(ops):
            target, call, is_float = self._call(prim, specs, params, out, S, name, arg,
                                                array_arg, scalar)
            if type(out) is not tuple and out in S and not is_float:
                call = f"float({call})" if S[out] == () else f"{call}.item()"
            lines.append(f"    {target} = {call}")
            if i in dead:
                lines.append(f"    del {', '.join(f'v{k}' for k in sorted(dead[i]))}")
        outs = [(f"_f64(v{k})" if S[k] == () else f"_shaped(v{k}, {S[k]!r})") if k in S
                else f"v{k}.copy()" if k is not None and k < self.n_in  # never hand back an input
                else arg((k, c)) for k, c in self.out_specs]
        lines.append(f"    return [{', '.join(outs)}]")
        exec(compile("\n".join(lines), "<taylorad.jit program>", "exec"), ns)  # noqa: S102
        return ns["program"]

    def replay(self, arrays):
        if self.run_scalar is not None:
            try:
                return tree_unflatten(self.out_td, self.run_scalar(*arrays))
            except (ArithmeticError, ValueError, TypeError):
                pass  # a value the float version does not cover (inf, nan): arrays do
        return tree_unflatten(self.out_td, self.run(*arrays))


def _fused(ops, meta, out_specs):
    """ops with elementwise runs fused (taylorad.cpu.fuse: numba kernels for NumPy arrays,
    generated CUDA kernels for CuPy arrays), or ops when neither applies."""
    if not any(m[0] is np.ndarray for m in meta.values()):
        return _fused_cupy(ops, meta, out_specs)
    from .cpu import dispatch  # noqa: PLC0415

    if not enabled(dispatch._state) or not dispatch.available():
        return ops
    from .cpu import chain, fuse, kernels, region  # noqa: PLC0415

    try:
        ops = chain.fuse_chains(ops, meta, out_specs, kernels.load)  # Taylor kernels in a row
        ops = fuse.fuse(ops, meta, out_specs, kernels.load)
        return region.form_regions(ops, meta, out_specs)  # passes in a row: one parallel region
    except Exception as err:  # noqa: BLE001 - a kernel that cannot compile must not break users
        warnings.warn(f"taylorad.jit: fusing elementwise operations failed ({type(err).__name__}: "
                      f"{err}); the recording runs unfused", RuntimeWarning, stacklevel=4)
        return ops


def _fused_cupy(ops, meta, out_specs):
    cupy = sys.modules.get("cupy")
    if cupy is None or not any(m[0] is cupy.ndarray for m in meta.values()):
        return ops
    from .cpu import fuse  # noqa: PLC0415
    from .cuda import fuse as cuda_fuse  # noqa: PLC0415

    backend = cuda_fuse.backend()
    if backend is None:
        return ops
    try:
        return fuse.fuse(ops, meta, out_specs, None, backend)
    except Exception as err:  # noqa: BLE001 - a kernel that cannot be built must not break users
        warnings.warn(f"taylorad.jit: fusing elementwise operations on the GPU failed "
                      f"({type(err).__name__}: {err}); the recording runs unfused",
                      RuntimeWarning, stacklevel=5)
        return ops


def program_uses(ops, out_specs):
    """(uses, final, made) of a recorded program: slot -> indices of the ops that read it, the
    slots handed back to the caller, and slot -> index of the op that made it."""
    uses, made = {}, {}
    for i, (_, specs, _, out) in enumerate(ops):
        for k, _ in specs:
            if k is not None:
                uses.setdefault(k, []).append(i)
        if type(out) is int:
            made[out] = i
    return uses, {k for k, _ in out_specs if k is not None}, made


def run_one_by_one(ops, env):
    """Run recorded ops with their own implementations, in order (the fallback of jit's fused
    ops); ``env``: slot -> value, given for the inputs and filled with every result."""
    for prim, specs, params, out in ops:
        r = prim.impl(*(c if k is None else env[k] for k, c in specs), **params)
        if type(out) is tuple:
            env.update(zip(out, r))
        else:
            env[out] = r
    return env


def _elementwise_ufunc(prim):
    u = getattr(prim, "ufunc", None)
    return u if isinstance(u, np.ufunc) and u.signature is None else None


def _sink_getitems(ops, meta, out_specs, n_slots, getitem):
    """Index before computing: ``f(a, b)[i]`` → ``f(a[i], b[i])`` for an elementwise primitive
    whose large result nothing else reads. ``derivatives(f, x, v, K)[K]`` adds whole series of
    K coefficients where only the top one is wanted; this leaves 1/K of the work (the index
    sinks through chains of such calls). Returns (ops, number of slots)."""
    ops = list(ops)
    changed = True
    while changed:
        changed = False
        uses, final, made = program_uses(ops, out_specs)
        for i, (prim, specs, params, out) in enumerate(ops):
            if prim.name != "getitem":
                continue
            s = specs[0][0]
            if s is None or s in final or uses[s] != [i] or s not in made or \
                    not _basic_index(params["idx"]):
                continue
            j = made[s]
            fprim, fspecs, fparams, _ = ops[j]
            m, mo = meta.get(s), meta.get(out)
            if fparams or _elementwise_ufunc(fprim) is None or m is None or mo is None or \
                    m[0] is not np.ndarray or math.prod(mo[1]) >= math.prod(m[1]) or \
                    math.prod(mo[1]) * mo[2].itemsize < buffers.POOL_MIN:
                continue
            idx = params["idx"]
            new_specs, new_ops = [], []
            for k, c in fspecs:
                if k is None and np.ndim(c) == 0:
                    new_specs.append((None, c))
                elif k is None and np.shape(c) == m[1]:
                    new_specs.append((None, c[idx]))
                elif k is not None and meta.get(k, (None, None))[1] == m[1]:
                    meta[n_slots] = (meta[k][0], mo[1], meta[k][2])
                    new_ops.append((getitem, ((k, None),), {"idx": idx}, n_slots))
                    new_specs.append((n_slots, None))
                    n_slots += 1
                else:
                    break
            else:
                ops[i:i + 1] = new_ops + [(fprim, tuple(new_specs), {}, out)]
                del ops[j]
                changed = True
                break
    return ops, n_slots


def _prune(ops, out_specs):
    """Keep only the recorded calls whose results reach an output."""
    live = {k for k, _ in out_specs if k is not None}
    kept = []
    for op in reversed(ops):
        if op[3] in live:
            kept.append(op)
            live.update(k for k, _ in op[1] if k is not None)
    kept.reverse()
    return kept


def _is_array(x):
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, Box)


def _signature(leaves):
    return tuple((type(x), x.shape, x.dtype) if _is_array(x) else ("static", x)
                 for x in leaves)


def _host(x):
    return x.get() if hasattr(x, "get") and not isinstance(x, np.ndarray) else x


def _same_inputs(arrays, recorded):
    """Bit-identical inputs (cheap: this runs on every call until the recording is verified)."""
    for x, y in zip(arrays, recorded):
        if type(x) is not type(y) or x.shape != y.shape:
            return False
        if x.size <= 4096 and type(x) in (np.ndarray, np.float64):
            if x.tobytes() != y.tobytes():
                return False
        elif not np.array_equal(_host(x), _host(y)):
            return False
    return True


def _same(a, b):
    """Equal values (to rounding: the scalar program's libm may differ from NumPy's by an ulp)."""
    la, lb = tree_flatten(a)[0], tree_flatten(b)[0]
    return len(la) == len(lb) and all(
        np.allclose(np.asarray(_host(x)), np.asarray(_host(y)), rtol=1e-9, atol=0.0,
                    equal_nan=True)
        for x, y in zip(la, lb))


def _lru_evict(cache, fast, size):
    """Drop the least recently used recordings until ``cache`` holds fewer than ``size``."""
    while len(cache) >= size:
        key = min(cache, key=lambda k: cache[k].used)
        prog = cache.pop(key)
        for k in [k for k, p in fast.items() if p is prog]:
            del fast[k]


def jit(fun=None, *, cache_size=None):
    """Capture-and-replay for repeated calls with the same shapes (see the module docstring).

    ``fun`` takes arrays (pytrees allowed) and other arguments (keyed by value) and may use any
    taylorad transformation inside: ``jit(grad(f))``, ``jit(lambda x, v: hvp(f, x, v))``.

    Parameters
    ----------
    fun : callable
        The function to record. ``jit(cache_size=...)`` without it returns a decorator.
    cache_size : int, optional
        How many recordings (one per input signature: tree structure, shapes, dtypes, static
        arguments) the jitted function keeps; the least recently used is dropped when a new
        signature arrives at a full cache. Default: ``taylorad.jit.default_cache_size`` (64) at
        the time of the call to ``jit``.

    Returns
    -------
    callable
        ``fun`` recorded per input signature; ``.clear_cache()`` drops every recording (the
        next call records again) and ``.cache`` maps signatures to recordings.

    Notes
    -----
    The jitted function may be called from several threads at once: a replay keeps its
    intermediate values in the calling thread's own variables, and a recording becomes visible
    to other threads only once it is complete.

    Examples
    --------
    >>> import numpy as np, taylorad as ta, taylorad.numpy as tnp
    >>> g = ta.jit(ta.grad(lambda x: tnp.sum(tnp.sin(x))))
    >>> g(np.zeros(2)), g(np.full(2, np.pi))
    (array([1., 1.]), array([-1., -1.]))
    >>> small = ta.jit(lambda x: tnp.sum(x ** 2), cache_size=2)
    >>> [float(small(np.ones(n))) for n in (1, 2, 3)], len(small.cache)
    ([1.0, 2.0, 3.0], 2)
    >>> small.clear_cache(); len(small.cache)
    0
    """
    if fun is None:
        return functools.partial(jit, cache_size=cache_size)
    if cache_size is None:
        cache_size = jit.default_cache_size
    if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 1:
        raise ValueError(f"taylorad.jit: cache_size must be a positive int (the number of "
                         f"recordings kept), got {cache_size!r}")
    if not callable(fun):
        raise TypeError(f"taylorad.jit: fun must be callable, got {type(fun).__name__}")
    cache = {}  # signature -> complete recording (written under ``lock``, read without)
    fast = {}  # (shape, dtype) per argument -> program, for calls with NumPy arrays only
    lock = threading.Lock()
    name = getattr(fun, "__name__", "fun")
    tick = itertools.count()

    def remember(key, prog):
        with lock:
            if key not in cache:
                _lru_evict(cache, fast, cache_size)
            prog.used = next(tick)
            cache[key] = prog

    @functools.wraps(fun)
    def wrapped(*args):
        active = STATE.active
        if not active and all(type(a) is np.ndarray for a in args):
            prog = fast.get(tuple((a.shape, a.dtype) for a in args))
            if prog is not None and not prog.eager:
                inputs = prog.inputs  # None once verified (read once: other threads set it)
                if inputs is None or _same_inputs(args, inputs):
                    prog.used = next(tick)
                    return prog.replay(args)
        leaves, td = tree_flatten(args)
        if active or any(isinstance(x, Box) for x in leaves):
            return fun(*args)  # inside a transformation: nothing to capture
        leaves = [np.asarray(x) if type(x) is float else x for x in leaves]
        if backend.any_dask(leaves):  # jit's replay and fusion are NumPy/CuPy only
            raise TypeError(f"taylorad.jit: {name} is called with Dask arrays — Dask builds its "
                            f"own task graph, which jit's NumPy replay and fused kernels must "
                            f"not run on; call the function without jit (its Dask graph is "
                            f"built once per call and computed on the cluster)")
        key = (td, _signature(leaves))
        prog = cache.get(key)
        arrays = [x for x in leaves if _is_array(x)]
        if prog is None:
            return _record(fun, td, leaves, key, remember, name)
        prog.used = next(tick)
        if prog.eager:
            return fun(*tree_unflatten(td, leaves))
        if all(type(a) is np.ndarray for a in args):
            with lock:
                if cache.get(key) is prog:
                    fast[tuple((a.shape, a.dtype) for a in args)] = prog
        inputs = prog.inputs
        if inputs is None or _same_inputs(arrays, inputs):
            return prog.replay(arrays)
        out = prog.replay(arrays)
        ref = fun(*tree_unflatten(td, leaves))
        if _same(out, ref):
            prog.verified = True
            prog.inputs = None
            return out
        prog.eager = True
        warnings.warn(f"taylorad.jit: {name} gives different results when replayed; it depends "
                      f"on array values outside taylorad primitives, so it runs eagerly",
                      RuntimeWarning, stacklevel=2)
        return ref

    def clear_cache():
        """Drop every recording of this function (the next call records again)."""
        with lock:
            cache.clear()
            fast.clear()

    wrapped.cache = cache
    wrapped.clear_cache = clear_cache
    wrapped.cache_size = cache_size
    return wrapped


jit.default_cache_size = 64  # recordings kept per jitted function unless cache_size says


def _record(fun, td, leaves, key, remember, name):
    """Record ``fun`` for one signature; ``remember(key, prog)`` publishes the recording once it
    is complete (or known to run eagerly), never before: another thread calling with the same
    signature meanwhile records too, and an interrupted recording leaves nothing behind."""
    tr = _CaptureTrace()
    boxed = [tr.box(x) if _is_array(x) else x for x in leaves]
    arrays = [x for x in leaves if _is_array(x)]
    prog = _Program()
    prog.n_in = len(arrays)
    STATE.active.append(tr)
    try:
        out = fun(*tree_unflatten(td, boxed))
    except (TypeError, ValueError) as exc:
        STATE.active.remove(tr)
        prog.eager = True
        remember(key, prog)
        warnings.warn(f"taylorad.jit: {name} cannot be captured ({exc}); it runs eagerly",
                      RuntimeWarning, stacklevel=3)
        return fun(*tree_unflatten(td, leaves))
    finally:
        if tr in STATE.active:
            STATE.active.remove(tr)
    out_leaves, prog.out_td = tree_flatten(out)
    prog.out_specs = [(o._slot, None) if isinstance(o, _CaptureBox) and o._trace is tr
                      else (None, o) for o in out_leaves]
    from .numpy.shape import getitem_p  # noqa: PLC0415 - the primitive itself, for new calls

    prog.ops, prog.n_slots = _sink_getitems(_prune(tr.ops, prog.out_specs), tr.meta,
                                            prog.out_specs, tr.n, getitem_p)
    prog.scalar = tr.scalar
    prog.meta = tr.meta
    prog.compile()
    prog.inputs = [x.copy() for x in arrays]
    prog.verified = False
    prog.eager = tr.unsafe is not None
    remember(key, prog)
    if prog.eager:
        warnings.warn(f"taylorad.jit: {name} cannot be captured ({tr.unsafe}); it runs "
                      f"eagerly", RuntimeWarning, stacklevel=3)
        return fun(*tree_unflatten(td, leaves))
    inputs = {id(x) for x in arrays}
    vals = [o._primal if isinstance(o, _CaptureBox) else o for o in out_leaves]
    return tree_unflatten(prog.out_td, [v.copy() if id(v) in inputs else v for v in vals])
