"""``taylorad.optimize.minimize``: Newton-type minimizers on taylorad's second derivatives.

Success is declared only when the gradient test ‖g‖∞ ≤ gtol holds, for every method (scipy's
Newton-CG stops on step length alone, see OPTIMIZE.md §4). Other stops report success=False with
a status that says why: 1 iteration limit, 2 no further progress possible (line search failure,
step below xtol, trust radius or predicted reduction at machine precision), 3 a non-finite value
(f, g or an HVP), 99 the callback raised StopIteration.
"""
import inspect
import math

import numpy as np

from ._linesearch import wolfe_search
from ._objective import _Objective
from ._subproblem import (
    exact_tr_step,
    gltr,
    modified_newton_step,
    steihaug_cg,
    truncated_cg,
)

__all__ = ["METHODS", "OptimizeResult", "minimize"]

try:  # scipy's class when scipy is importable, else a dict with attribute access
    from scipy.optimize import OptimizeResult
except ImportError:  # pragma: no cover - scipy is installed in tests
    class OptimizeResult(dict):
        """A dict with attribute access (scipy.optimize.OptimizeResult's behaviour)."""

        def __getattr__(self, name):
            try:
                return self[name]
            except KeyError as e:
                raise AttributeError(name) from e

        __setattr__ = dict.__setitem__
        __delattr__ = dict.__delitem__

_EPS = float(np.finfo(np.float64).eps)
_TR = ("trust-ncg", "trust-krylov", "trust-exact")
METHODS = ("newton-cg", "trust-ncg", "trust-krylov", "trust-exact", "newton-exact")

_COMMON = {"gtol": 1e-5, "maxiter": None, "disp": False, "return_all": False}
_TR_OPTS = {"initial_trust_radius": 1.0, "max_trust_radius": 1e8, "eta": 0.15}
_LS_OPTS = {"c1": 1e-4, "c2": 0.9, "xtol": 1e-12}
_OPTIONS = {
    "newton-cg": {**_COMMON, **_LS_OPTS, "cg_maxiter": None, "cg_forcing": "superlinear"},
    "trust-ncg": {**_COMMON, **_TR_OPTS, "cg_maxiter": None, "cg_forcing": "superlinear"},
    "trust-krylov": {**_COMMON, **_TR_OPTS, "cg_maxiter": None, "inexact": True},
    "trust-exact": {**_COMMON, **_TR_OPTS, "chunk_size": None},
    "newton-exact": {**_COMMON, **_LS_OPTS, "npd": "cholesky-shift", "chunk_size": None},
}

_MESSAGES = {
    0: "Optimization terminated successfully (gradient test ‖g‖∞ ≤ gtol holds).",
    1: "Maximum number of iterations has been exceeded.",
    3: "A non-finite value was encountered",
    99: "`callback` raised `StopIteration`.",
}


def _method_name(method, fname):
    if callable(method) or not isinstance(method, str):
        raise TypeError(f"{fname}: method must be one of {', '.join(map(repr, METHODS))}, got "
                        f"{method!r}")
    m = method.lower()
    if m not in METHODS:
        raise ValueError(f"{fname}: unknown method {method!r} — use one of "
                         f"{', '.join(map(repr, METHODS))} (scipy's other methods run with "
                         f"scipy.optimize.minimize(**taylorad.optimize.scipy_callables(f, m)))")
    return m


def _options(method, n, tol, options, fname):
    opts = dict(_OPTIONS[method])
    given = dict(options or {})
    unknown = sorted(set(given) - set(opts))
    if unknown:
        raise ValueError(f"{fname}: unknown option(s) {unknown} for method {method!r} — valid "
                         f"options are {sorted(opts)}")
    if tol is not None and "gtol" not in given:
        given["gtol"] = float(tol)
    opts.update(given)
    if opts["maxiter"] is None:
        opts["maxiter"] = 200 * n
    if "cg_maxiter" in opts and opts["cg_maxiter"] is None:
        # GLTR keeps its Lanczos basis: bound its memory (the outer loop carries on)
        opts["cg_maxiter"] = min(20 * n, 100) if method == "trust-krylov" else 20 * n
    for key in ("gtol", "initial_trust_radius", "max_trust_radius"):
        if key in opts and not (isinstance(opts[key], (int, float)) and opts[key] > 0):
            raise ValueError(f"{fname}: option {key!r} must be a positive number, got "
                             f"{opts[key]!r}")
    if method == "newton-exact" and opts["npd"] not in ("eig", "cholesky-shift", "grad"):
        raise ValueError(f"{fname}: option 'npd' must be 'eig', 'cholesky-shift' or 'grad', "
                         f"got {opts['npd']!r}")
    if opts.get("cg_forcing", "superlinear") not in ("superlinear", "linear"):
        raise ValueError(f"{fname}: option 'cg_forcing' must be 'superlinear' or 'linear'")
    return opts


def _wrap_callback(callback, fname):
    if callback is None:
        return None
    if not callable(callback):
        raise TypeError(f"{fname}: callback must be callable, got {type(callback).__name__}")
    try:
        new_style = set(inspect.signature(callback).parameters) == {"intermediate_result"}
    except (TypeError, ValueError):
        new_style = False
    if new_style:
        return lambda res: callback(intermediate_result=res)
    return lambda res: callback(res.x)


def _forcing(gn, kind):
    """CG tolerance: η‖g‖ with η = min(0.5, √‖g‖) (superlinear) or 0.5 (linear)."""
    eta = min(0.5, math.sqrt(gn)) if kind == "superlinear" else 0.5
    return eta * gn


class _Run:
    """Bookkeeping shared by all methods: stopping tests, callback, disp table, result."""

    def __init__(self, obj, method, opts, callback):
        self.obj, self.method, self.opts = obj, method, opts
        self.callback = callback
        self.nit = self.ncg = 0
        self.allvecs = [] if opts["return_all"] else None
        self.status, self.message = None, None
        self.extra = {}
        self.disp = bool(opts["disp"])
        if self.disp:
            col = "radius" if method in _TR else "step"
            extra = f" {'passes':>6} {'s/pass':>8}" if obj.dask else ""  # Dask data: passes
            print(f"{'nit':>5} {'f':>14} {'|g|inf':>10} {col:>10} {'ncg':>5} {'nhev':>6}{extra}")
        self._passes = (0, 0.0)

    def gnorm(self, g):
        return float(self.obj.xp.max(self.obj.xp.abs(g))) if g.shape[0] else 0.0

    def check(self, f, g, H=None, where="x"):
        """Status before an iteration: 3 non-finite, 0 converged, 1 out of iterations."""
        gi = self.gnorm(g)
        h_ok = H is None or bool(self.obj.xp.all(self.obj.xp.isfinite(H)))
        if not (math.isfinite(f) and math.isfinite(gi) and h_ok):
            bad = ("f" if not math.isfinite(f) else "the gradient" if not math.isfinite(gi)
                   else "the Hessian")
            self.status = 3
            self.message = (f"{_MESSAGES[3]}: {bad} is not finite at {where} (iteration "
                            f"{self.nit}); check the objective's domain or start elsewhere.")
            return True
        if gi <= self.opts["gtol"]:
            self.status, self.message = 0, _MESSAGES[0]
            return True
        if self.nit >= self.opts["maxiter"]:
            self.status, self.message = 1, _MESSAGES[1]
            return True
        return False

    def stop(self, status, message):
        self.status, self.message = status, message

    def step_done(self, z, f, g, size, ncg):
        """After an iteration: record, print, call back. Returns True to stop (callback)."""
        self.nit += 1
        self.ncg += ncg
        obj = self.obj
        if self.allvecs is not None:
            self.allvecs.append(obj.tree(obj.xp.array(z, copy=True)))
        if self.disp:
            extra = ""
            if obj.dask:  # the passes over the data of this iteration and their mean time
                n0, t0 = self._passes
                self._passes = (obj.npass, obj.pass_time)
                k = obj.npass - n0
                extra = f" {obj.npass:6d} {(obj.pass_time - t0) / max(k, 1):8.3f}"
            print(f"{self.nit:5d} {f:14.6e} {self.gnorm(g):10.3e} {size:10.3e} {ncg:5d} "
                  f"{obj.nhev:6d}{extra}")
        if self.callback is not None:
            res = OptimizeResult(x=obj.tree(obj.xp.array(z, copy=True)), fun=f,
                                 jac=obj.tree(g), nit=self.nit)
            try:
                self.callback(res)
            except StopIteration:
                self.stop(99, _MESSAGES[99])
                return True
        return False

    def result(self, z, f, g):
        obj = self.obj
        if self.status == 2 and math.isfinite(f) and self.gnorm(g) <= self.opts["gtol"]:
            self.status, self.message = 0, _MESSAGES[0]
        res = OptimizeResult(
            x=obj.tree(obj.xp.array(z, copy=True)), fun=f, jac=obj.tree(g), nit=self.nit,
            nfev=obj.nfev, njev=obj.njev, nhev=obj.nhev, ncg=self.ncg, status=self.status,
            success=self.status == 0, message=self.message, **self.extra)
        if obj.dask:  # passes over the Dask data (one dask.compute each) and their wall time
            res["npass"], res["pass_time"] = obj.npass, obj.pass_time
        if self.allvecs is not None:
            res["allvecs"] = self.allvecs
        if self.disp:
            print(f"{self.message}\n         Current function value: {f:.6e}\n"
                  f"         Iterations: {self.nit}  (CG/Lanczos: {self.ncg})\n"
                  f"         Function evaluations: {obj.nfev}  Gradient evaluations: "
                  f"{obj.njev}  Hessian evaluations (HVPs or dense): {obj.nhev}")
        return res


def _first_evaluation(obj, z, exact):
    """(f, g, H) at the start: the dense Hessian only for the exact methods (else None)."""
    if exact:
        return obj.fgh(z)
    f, g = obj.fg(z)
    return f, g, None


def _line_search_method(run, obj, z, method):
    """newton-cg and newton-exact: a Newton(-like) direction and a strong-Wolfe line search."""
    opts, xp = run.opts, obj.xp
    exact = method == "newton-exact"
    f, g, H = _first_evaluation(obj, z, exact)
    while not run.check(f, g, H):
        ncg = 0
        if exact:
            p, _ = modified_newton_step(H, g, xp, opts["npd"])
        else:
            gn = math.sqrt(float(g @ g))
            p, ncg, _ = truncated_cg(lambda v, z=z: obj.hvp(z, v), g,
                                     _forcing(gn, opts["cg_forcing"]), opts["cg_maxiter"])
        d0 = float(g @ p)
        if not math.isfinite(d0) or d0 >= 0:  # not a descent direction: steepest descent
            p = -g
            d0 = -float(g @ g)
        first = [exact]

        def phi(a, z=z, p=p, first=first):
            zt = z + a * p
            if first[0]:  # the full Newton step: f, g and H in one fused pass
                first[0] = False
                ft, gt, Ht = obj.fgh(zt)
            else:
                (ft, gt), Ht = obj.fg(zt), None
            dt = float(gt @ p) if math.isfinite(ft) else math.nan
            return ft, dt, (zt, gt, Ht)

        found = wolfe_search(phi, f, d0, 1.0, opts["c1"], opts["c2"])
        if found is None:
            run.ncg += ncg
            run.stop(2, "Line search failed to find a point satisfying the Wolfe conditions "
                        "(no further progress possible at this precision).")
            break
        a, f, (z, g, Ht) = found
        if exact:
            H = Ht if Ht is not None else obj.fgh(z)[2]
        step = a * float(xp.max(xp.abs(p)))
        if run.step_done(z, f, g, step, ncg):
            break
        if step <= opts["xtol"] * max(1.0, float(xp.max(xp.abs(z)))) and \
                run.gnorm(g) > opts["gtol"]:
            run.stop(2, f"The step fell below xtol={opts['xtol']:g} (relative) before the "
                        f"gradient test held; the iterates stalled.")
            break
    return z, f, g


def _trust_region_method(run, obj, z, method):
    opts, xp = run.opts, obj.xp
    delta = float(opts["initial_trust_radius"])
    exact = method == "trust-exact"
    f, g, H = _first_evaluation(obj, z, exact)
    while not run.check(f, g, H):
        gn = math.sqrt(float(g @ g))
        hvp = (lambda v, z=z: obj.hvp(z, v))
        ncg = 0
        try:
            if exact:
                p, m, hits = exact_tr_step(H, g, delta, xp)
            elif method == "trust-ncg":
                p, m, hits, ncg = steihaug_cg(hvp, g, delta, _forcing(gn, opts["cg_forcing"]),
                                              opts["cg_maxiter"])
            else:
                tol = _forcing(gn, "superlinear") if opts["inexact"] else 1e-10 * gn
                p, m, hits, ncg = gltr(hvp, g, delta, tol, opts["cg_maxiter"])
        except (FloatingPointError, np.linalg.LinAlgError) as e:
            run.stop(3, f"{_MESSAGES[3]} while solving the trust-region subproblem ({e}) at "
                        f"iteration {run.nit}.")
            break
        if not (m < 0) or not math.isfinite(m):
            run.ncg += ncg
            run.stop(2, "The quadratic model predicts no decrease (precision loss); no further "
                        "progress possible.")
            break
        zt = z + p
        if exact:
            ft, gt = obj.f(zt), None
        else:
            ft, gt = obj.fg(zt)
        if not math.isfinite(ft):
            rho = -math.inf
        elif max(abs(f - ft), -m) <= 10 * _EPS * max(1.0, abs(f)):
            # both reductions at roundoff level: the ratio is noise, trust the model
            # (Conn, Gould & Toint, Trust-Region Methods, §17.4.2)
            rho = 1.0 if ft <= f + 10 * _EPS * max(1.0, abs(f)) else -math.inf
        else:
            rho = (f - ft) / (-m)
        if rho < 0.25:
            delta *= 0.25
        elif rho > 0.75 and hits:
            delta = min(2.0 * delta, float(opts["max_trust_radius"]))
        if rho > opts["eta"]:
            z = zt
            if exact:
                f, g, H = obj.fgh(z)
            else:
                f, g = ft, gt
        if run.step_done(z, f, g, delta, ncg):
            break
        if delta <= _EPS * max(1.0, float(xp.max(xp.abs(z)))) and run.gnorm(g) > opts["gtol"]:
            run.stop(2, "The trust radius fell below machine precision; no further progress "
                        "possible.")
            break
    run.extra["trust_radius"] = delta
    return z, f, g


def minimize(fun, x0, method="trust-krylov", *, args=(), jac=None, hess=None, hessp=None,
             tol=None, callback=None, options=None):
    """Minimize a scalar function with a Newton-type method on taylorad's derivatives.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> scalar``, written with ``taylorad.numpy`` (or NumPy functions that
        dispatch to it). ``x`` has the structure of ``x0``.
    x0 : array or pytree of arrays
        Floating-point starting point (numpy or cupy; the namespace of x0 decides where the
        work runs). Tuples, lists and dicts of arrays are accepted.
    method : str
        'newton-cg' (truncated CG + strong-Wolfe line search), 'trust-ncg' (Steihaug–Toint),
        'trust-krylov' (GLTR: Lanczos + tridiagonal trust-region solve), 'trust-exact' (exact
        subproblem on the dense Hessian), 'newton-exact' (dense Hessian, positive-definite
        modification, line search).
    args : tuple
        Extra arguments for fun, jac, hess and hessp. They may hold Dask arrays (data chunked
        on a dask.distributed cluster): each evaluation of (f, g), (f, g, H·v) or (f, g, H)
        is then one lazy graph and ONE ``dask.compute`` — one pass over the data; x stays
        NumPy on the client and nothing data-sized comes back.
    jac, hess, hessp : callable, optional
        User derivatives as in scipy (``jac=True``: fun returns ``(f, g)``). When omitted,
        taylorad supplies them: g by reverse mode, H·v forward over reverse, the dense H from
        one batched forward-over-reverse pass that also yields f and g.
    tol : float, optional
        Sets ``gtol`` unless options give it.
    callback : callable, optional
        ``callback(intermediate_result)`` (an OptimizeResult with x, fun, jac, nit) or
        ``callback(xk)``; raising ``StopIteration`` stops with status 99.
    options : dict, optional
        ``gtol`` (1e-5, on ‖g‖∞), ``maxiter`` (200·n), ``disp``, ``return_all``;
        line-search methods: ``c1`` (1e-4), ``c2`` (0.9), ``xtol`` (1e-12, relative step at
        which a stalled run stops with status 2); 'newton-cg'/'trust-ncg': ``cg_maxiter``
        (20·n), ``cg_forcing`` ('superlinear': η = min(0.5, √‖g‖)); trust-region methods:
        ``initial_trust_radius`` (1), ``max_trust_radius`` (1e8), ``eta`` (0.15);
        'trust-krylov': ``inexact`` (True), ``cg_maxiter`` (min(20·n, 100) Lanczos steps);
        'newton-exact': ``npd`` ('cholesky-shift' (default) | 'eig' | 'grad'); dense methods:
        ``chunk_size`` (Hessian columns per batched pass; None = all).

    Returns
    -------
    OptimizeResult
        x, fun, jac, nit, nfev, njev, nhev (HVPs or dense Hessian builds), ncg (inner
        iterations), status, success, message; trust_radius for trust-region methods and
        allvecs with ``return_all``. ``success`` is True only when ‖g‖∞ ≤ gtol. With Dask
        arrays among ``args``: npass (passes over the data) and pass_time (their seconds);
        the ``disp`` table then shows the passes and the time per pass of each iteration.

    Examples
    --------
    >>> import numpy as np, taylorad.numpy as tnp
    >>> from taylorad.optimize import minimize
    >>> rosen = lambda x: tnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    >>> res = minimize(rosen, np.array([-1.2, 1.0]), method="trust-exact")
    >>> bool(res.success), np.allclose(res.x, 1.0)
    (True, True)
    """
    fname = "minimize"
    m = _method_name(method, fname)
    obj = _Objective(fun, x0, args, jac, hess, hessp, fname)
    opts = _options(m, obj.n, tol, options, fname)
    if "chunk_size" in opts:
        obj.chunk_size = opts["chunk_size"]
    run = _Run(obj, m, opts, _wrap_callback(callback, fname))
    solver = _trust_region_method if m in _TR else _line_search_method
    z, f, g = solver(run, obj, obj.x0, m)
    return run.result(z, f, g)
