"""What of NumPy's and SciPy's surface taylorad differentiates — as data the docs render and the
coverage test (tests/test_coverage.py) checks against NumPy's own namespace.

Every public callable of ``numpy``, ``numpy.linalg`` and the SciPy functions in SCIPY_NAMES is in
exactly one of three states:

* **differentiable** — ``taylorad.numpy.<name>`` (``taylorad.numpy.linalg``, ``taylorad.scipy``)
  exists: a primitive or a composition with VJP and Taylor rules of every order, reached also
  by calling NumPy's (or SciPy's ufunc) function on traced values;
* **zero derivative** — it exists there too and is declared non-differentiable (piecewise
  constant, integer or boolean result, shape-only constants): traced input, plain output;
* **not supported** — listed in NOT_SUPPORTED with the reason. A name that is supported *and*
  listed fails the coverage test, so this table only shrinks as support lands.

Classes (dtypes, ``ndarray``, ``errstate``, …) are not functions of array values and are not
enumerated.
"""
import importlib
import inspect

import numpy as np

# reason prefixes: "pending" (planned, another branch or later), "out of scope" (complex,
# datetime, I/O, configuration: no real derivative to take), "not differentiable" (a derivative
# would need a choice the function does not make)
_IO = "out of scope: reads or writes files/buffers, no array argument to differentiate"
_CFG = "out of scope: configuration or introspection of NumPy itself, no array values"
_INPLACE = ("not supported: mutates its argument in place (traced values are immutable) — "
            "use taylorad.numpy.where, or build the result with index arithmetic")
_SET = ("not differentiable: the output merges equal entries, so perturbing one of a tie "
        "changes the output's size — use sort/argsort and gather the values you need")
_DT = "out of scope: datetime/business-day values, not real floating point"


def _linalg_refused():
    from .linalg import NOT_SUPPORTED as refused  # noqa: PLC0415

    return dict(refused)


NOT_SUPPORTED = {
    # numpy main namespace
    "numpy.roots": "out of scope: the roots are eigenvalues of the companion matrix, complex "
                   "in general",
    "numpy.sort_complex": "out of scope: complex output",
    "numpy.unique": _SET, "numpy.unique_all": _SET, "numpy.unique_counts": _SET,
    "numpy.unique_inverse": _SET, "numpy.unique_values": _SET, "numpy.union1d": _SET,
    "numpy.intersect1d": _SET, "numpy.setdiff1d": _SET, "numpy.setxor1d": _SET,
    "numpy.copyto": _INPLACE, "numpy.fill_diagonal": _INPLACE, "numpy.place": _INPLACE,
    "numpy.put": _INPLACE, "numpy.put_along_axis": _INPLACE, "numpy.putmask": _INPLACE,
    "numpy.frompyfunc": ("not supported: wraps an arbitrary Python function as an object "
                         "ufunc — call the function on traced values directly"),
    "numpy.nested_iters": "out of scope: an iterator over buffers, not a function of values",
    "numpy.asmatrix": "out of scope: numpy.matrix is deprecated — use 2-D arrays",
    "numpy.bmat": "out of scope: numpy.matrix is deprecated — use taylorad.numpy.block",
    "numpy.busday_count": _DT, "numpy.busday_offset": _DT, "numpy.is_busday": _DT,
    "numpy.datetime_as_string": _DT, "numpy.datetime_data": _DT, "numpy.isnat": _DT,
    "numpy.from_dlpack": _IO, "numpy.frombuffer": _IO, "numpy.fromfile": _IO,
    "numpy.fromiter": _IO, "numpy.fromregex": _IO, "numpy.fromstring": _IO,
    "numpy.genfromtxt": _IO, "numpy.load": _IO, "numpy.loadtxt": _IO, "numpy.save": _IO,
    "numpy.savetxt": _IO, "numpy.savez": _IO, "numpy.savez_compressed": _IO,
    "numpy.get_include": _CFG, "numpy.get_printoptions": _CFG, "numpy.getbufsize": _CFG,
    "numpy.geterr": _CFG, "numpy.geterrcall": _CFG, "numpy.info": _CFG,
    "numpy.printoptions": _CFG, "numpy.set_printoptions": _CFG, "numpy.setbufsize": _CFG,
    "numpy.seterr": _CFG, "numpy.seterrcall": _CFG, "numpy.show_config": _CFG,
    "numpy.show_runtime": _CFG, "numpy.test": _CFG,
    # numpy.linalg: eig/eigvals (complex results) are refused with their own error
    **{f"numpy.linalg.{n}": why for n, why in _linalg_refused().items()},
    "numpy.linalg.test": _CFG,
}

# the SciPy callables the issue names, with taylorad's counterpart (module, attribute)
SCIPY_NAMES = {
    "scipy.special.gammaln": ("taylorad.scipy.special", "gammaln"),
    "scipy.special.digamma": ("taylorad.scipy.special", "digamma"),
    "scipy.special.psi": ("taylorad.scipy.special", "psi"),
    "scipy.special.polygamma": ("taylorad.scipy.special", "polygamma"),
    "scipy.special.gamma": ("taylorad.scipy.special", "gamma"),
    "scipy.special.erfinv": ("taylorad.scipy.special", "erfinv"),
    "scipy.special.xlog1py": ("taylorad.scipy.special", "xlog1py"),
    "scipy.special.betaln": ("taylorad.scipy.special", "betaln"),
    "scipy.special.xlogy": ("taylorad.scipy.special", "xlogy"),
    "scipy.special.expit": ("taylorad.scipy.special", "expit"),
    "scipy.special.logit": ("taylorad.scipy.special", "logit"),
    "scipy.special.erf": ("taylorad.scipy.special", "erf"),
    "scipy.special.erfc": ("taylorad.scipy.special", "erfc"),
    "scipy.special.erfcx": ("taylorad.scipy.special", "erfcx"),
    "scipy.special.ndtr": ("taylorad.scipy.special", "ndtr"),
    "scipy.special.log_ndtr": ("taylorad.scipy.special", "log_ndtr"),
    "scipy.special.logsumexp": ("taylorad.scipy.special", "logsumexp"),
    "scipy.special.softmax": ("taylorad.scipy.special", "softmax"),
    "scipy.special.log_softmax": ("taylorad.scipy.special", "log_softmax"),
    "scipy.stats.norm.pdf": ("taylorad.scipy.stats", "norm.pdf"),
    "scipy.stats.norm.logpdf": ("taylorad.scipy.stats", "norm.logpdf"),
    "scipy.stats.norm.cdf": ("taylorad.scipy.stats", "norm.cdf"),
    "scipy.stats.norm.logcdf": ("taylorad.scipy.stats", "norm.logcdf"),
    "scipy.stats.norm.sf": ("taylorad.scipy.stats", "norm.sf"),
    "scipy.stats.norm.logsf": ("taylorad.scipy.stats", "norm.logsf"),
    "scipy.stats.norm.ppf": ("taylorad.scipy.stats", "norm.ppf"),
    "scipy.stats.multivariate_normal.logpdf": ("taylorad.scipy.stats",
                                               "multivariate_normal.logpdf"),
    "scipy.stats.multivariate_normal.pdf": ("taylorad.scipy.stats", "multivariate_normal.pdf"),
    "scipy.linalg.solve_triangular": ("taylorad.scipy.linalg", "solve_triangular"),
    "scipy.linalg.cho_factor": ("taylorad.scipy.linalg", "cho_factor"),
    "scipy.linalg.cho_solve": ("taylorad.scipy.linalg", "cho_solve"),
}


def numpy_callables(module="numpy"):
    """Public functions (and ufuncs) of a NumPy module, as 'numpy.name' / 'numpy.linalg.name';
    classes are left out."""
    mod = importlib.import_module(module)
    out = []
    for name in dir(mod):
        if name.startswith("_"):
            continue
        try:
            obj = getattr(mod, name)
        except AttributeError:
            continue
        if callable(obj) and not inspect.isclass(obj) and not inspect.ismodule(obj):
            out.append(f"{module}.{name}")
    return sorted(out)


def _zero_derivative_names():
    from . import zeroderiv  # noqa: PLC0415

    return set(zeroderiv.ZERO_DERIVATIVE) | {
        "floor", "ceil", "rint", "sign", "round", "around", "argmax", "argmin", "equal",
        "not_equal", "greater", "greater_equal", "less", "less_equal", "zeros_like",
        "ones_like", "stop_gradient", "angle", "floor_divide"}


def _resolve(qualname):
    """taylorad's counterpart of a NumPy/SciPy name, or None."""
    import taylorad.numpy as tnp  # noqa: PLC0415

    if qualname in SCIPY_NAMES:
        modname, attr = SCIPY_NAMES[qualname]
        try:
            obj = importlib.import_module(modname)
        except ImportError:
            return None
        for part in attr.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj
    parts = qualname.split(".")
    ns = tnp.linalg if parts[:2] == ["numpy", "linalg"] else tnp
    name = parts[-1]
    if ns is tnp.linalg and name in tnp.linalg.NOT_SUPPORTED:
        return None  # in __all__ only so that np.linalg.eig(traced) gets its specific error
    return getattr(ns, name) if name in getattr(ns, "__all__", ()) else None


def status(qualname):
    """'differentiable', 'zero derivative', 'not supported' or 'missing' for one name."""
    supported = _resolve(qualname) is not None
    listed = qualname in NOT_SUPPORTED
    if supported and listed:
        return "conflict"
    if supported:
        short = qualname.split(".")[-1]
        if qualname.startswith("numpy.linalg."):
            import taylorad.numpy as tnp  # noqa: PLC0415

            if short in tnp.linalg.ZERO_DERIVATIVE:
                return "zero derivative"
        elif qualname.startswith("numpy.") and short in _zero_derivative_names():
            return "zero derivative"
        return "differentiable"
    return "not supported" if listed else "missing"


def all_names():
    """Every enumerated name: numpy, numpy.linalg and the SciPy names of SCIPY_NAMES."""
    return numpy_callables("numpy") + numpy_callables("numpy.linalg") + sorted(SCIPY_NAMES)


def table():
    """Rows (name, status, reason) for the documentation's coverage table."""
    rows = []
    for name in all_names():
        st = status(name)
        rows.append((name, st, NOT_SUPPORTED.get(name, "")))
    return rows


def summary():
    """Counts per status, e.g. {'differentiable': 300, 'zero derivative': 120, …}."""
    counts = {}
    for _, st, _ in table():
        counts[st] = counts.get(st, 0) + 1
    return counts


def reason(qualname):
    """The not-supported reason for 'numpy.name' (None when it is not listed)."""
    if qualname.startswith("numpy.fft."):
        return ("out of scope: FFTs work on complex values, and taylorad differentiates real "
                "functions — numpy.fft is not supported")
    return NOT_SUPPORTED.get(qualname)


def as_markdown():
    """The not-supported table and the counts, as Markdown (for the README and the docs)."""
    counts = summary()
    lines = ["| status | callables |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(counts.items())]
    lines += ["", "| not supported | why |", "|---|---|"]
    lines += [f"| `{name}` | {why} |" for name, why in sorted(NOT_SUPPORTED.items())]
    return "\n".join(lines)
