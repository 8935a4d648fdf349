"""The CPU thread pool behind taylorad's large elementwise passes (plain Python, no numba).

The layer: a ``concurrent.futures.ThreadPoolExecutor`` of ``n − 1`` worker threads that run
chunks of one pass — the serial, ``nogil`` numba kernels (``taylorad/cpu``) on sub-ranges of
their elements, or NumPy ufuncs on slices (they release the GIL too) — while the calling thread
runs the first chunk itself and then waits for the others. Each chunk writes its own slice of
the output, so the result is bit for bit the serial one whatever the number of threads.

Why this and not numba's ``parallel=True``: numba's default workqueue layer aborts the process
when two Python threads enter a parallel region at once, and OpenMP/TBB would add a dependency
and a second thread pool competing with BLAS. Here several Python threads may call taylorad at
the same time: each submits its chunks to the one shared pool (which is thread-safe) and runs
its own first chunk, so ``c`` concurrent callers use at most ``c + n − 1`` threads, never
``c × n``. A worker never waits on the pool (a pass that starts inside a worker runs serially),
so the pool cannot deadlock.

How many threads (``num_threads()``), read at each call:

1. inside ``with limit(k):`` — at most ``k`` in that Python thread;
2. ``TAYLORAD_NUM_THREADS`` in the environment, when set (read at import; ``set_num_threads``
   changes it later) — the user's choice, taken as given;
3. otherwise the cores this process may run on (``os.sched_getaffinity``), capped by
   ``OMP_NUM_THREADS`` when set and by the thread count of NumPy's BLAS as ``threadpoolctl``
   reports and sets it: ``with threadpoolctl.threadpool_limits(1):`` makes taylorad serial too,
   and so does a Dask worker (its nanny starts workers with ``OMP_NUM_THREADS=1``).

A pass is split only when it is large enough to pay for waking the workers (``MIN_WORK``,
measured: see ``chunks``).
"""
import contextvars
import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["limit", "num_threads", "parallel_for", "parallel_ufunc", "set_num_threads"]

# Work is counted in nanoseconds of one core (estimates per element, measured on an AMD EPYC:
# np.sin ~9 ns, np.add ~0.3 ns, the tanh Taylor kernel ~5 ns at K=2 and ~35 ns at K=8). A pass is
# split only into chunks of at least MIN_WORK of it (1 ms). Handing a chunk to a worker and
# waiting for it costs 10-35 µs on an idle machine (an empty two-chunk parallel_for), but a
# sleeping worker on a shared VM wakes much later, and the per-rule estimates overcount fused
# chains (ta.jit's chain kernels): with a 100 µs minimum the order-2..8 chains on 10⁴ elements
# ran 1.5-2.8× slower on two threads than on one (211-218 µs → 325-595 µs), with 1 ms they run
# as fast as on one thread while the 10⁶-element passes still split (20-30 → 14-20 ms).
MIN_WORK = 1_000_000
# a pass is cut into up to this many chunks per thread, taken in turn by whichever thread is
# free: a worker that wakes late (on a shared VM, sometimes by milliseconds) takes fewer chunks
# instead of delaying the pass, and one that has not started when the others finish is cancelled
CHUNKS_PER_THREAD = 4


def _positive_int(text, name):
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"taylorad.cpu.threads: {name}={text!r} is not a positive integer; "
                         f"set it to the number of threads taylorad may use (1 for serial)")
    return n


def _cores():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _env_default():
    """(threads, explicit): TAYLORAD_NUM_THREADS, else the usable cores capped by OMP_NUM_THREADS."""
    env = os.environ.get("TAYLORAD_NUM_THREADS", "").strip()
    if env:
        return _positive_int(env, "TAYLORAD_NUM_THREADS"), True
    n = _cores()
    omp = os.environ.get("OMP_NUM_THREADS", "").strip()
    if omp:
        try:
            n = min(n, max(1, int(omp.split(",")[0])))
        except ValueError:
            pass
    return n, False


_state = {"n": None, "explicit": False, "blas": None, "pool": None, "pool_size": 0}
_lock = threading.Lock()
_local = threading.local()  # .limit (with limit(k)), .worker (inside a pool thread)


def _blas_threads():
    """NumPy's BLAS thread count now (threadpoolctl's view), or None when it cannot be read."""
    ctl = _state["blas"]
    if ctl is None:
        ctl = False
        try:
            import numpy as np  # noqa: PLC0415, F401 - its BLAS must be loaded to be found
            from threadpoolctl import ThreadpoolController  # noqa: PLC0415

            libs = ThreadpoolController().select(user_api="blas").lib_controllers
            ctl = libs[0] if libs else False
        except Exception:  # noqa: BLE001 - threadpoolctl is optional
            ctl = False
        _state["blas"] = ctl
    if ctl is False:
        return None
    try:
        return ctl.get_num_threads()
    except Exception:  # noqa: BLE001
        return None


def num_threads():
    """The number of threads taylorad's CPU passes use now (in this Python thread).

    Returns
    -------
    int
        At least 1: see the module docstring for the rules.

    Examples
    --------
    >>> from taylorad.cpu import threads
    >>> with threads.limit(1):
    ...     threads.num_threads()
    1
    """
    if getattr(_local, "worker", False):
        return 1
    n = _state["n"]
    if n is None:
        n, _state["explicit"] = _env_default()
        _state["n"] = n
    if not _state["explicit"] and n > 1:
        b = _blas_threads()
        if b is not None and b >= 1:
            n = min(n, b)
    lim = getattr(_local, "limit", None)
    return n if lim is None else max(1, min(n, lim))


def set_num_threads(n):
    """Set the number of threads for the whole process (as ``TAYLORAD_NUM_THREADS`` does).

    Parameters
    ----------
    n : int or None
        A positive count, taken as given (BLAS limits no longer apply); None goes back to the
        default (the usable cores, capped by ``OMP_NUM_THREADS`` and NumPy's BLAS limit).

    Returns
    -------
    None

    Examples
    --------
    >>> from taylorad.cpu import threads
    >>> threads.set_num_threads(1); threads.num_threads()
    1
    >>> threads.set_num_threads(None)
    """
    if n is None:
        _state["n"], _state["explicit"] = None, False
        return
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"taylorad.cpu.threads.set_num_threads: n={n!r} is not a positive "
                         f"integer; pass the number of threads (1 for serial) or None")
    _state["n"], _state["explicit"] = n, True


class limit:
    """Context manager: at most ``n`` threads for taylorad's passes in this Python thread.

    Parameters
    ----------
    n : int
        Upper bound (1: serial), combined with the process setting by ``min``.

    Examples
    --------
    >>> from taylorad.cpu import threads
    >>> with threads.limit(1):
    ...     threads.num_threads()
    1
    """

    def __init__(self, n):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"taylorad.cpu.threads.limit: n={n!r} is not a positive integer; "
                             f"pass the largest number of threads to use (1 for serial)")
        self.n = n

    def __enter__(self):
        self._old = getattr(_local, "limit", None)
        _local.limit = self.n if self._old is None else min(self._old, self.n)
        return self

    def __exit__(self, *exc):
        _local.limit = self._old
        return False


def _mark_worker():
    _local.worker = True


def _pool(n):
    """The shared executor with at least n − 1 workers."""
    pool = _state["pool"]
    if pool is None or _state["pool_size"] < n - 1:
        with _lock:
            pool = _state["pool"]
            if pool is None or _state["pool_size"] < n - 1:
                # a smaller pool is left to finish what it runs (another thread may be
                # submitting to it now) and to end when no longer referenced
                pool = ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix="taylorad-cpu",
                                          initializer=_mark_worker)
                _state["pool"], _state["pool_size"] = pool, n - 1
    return pool


def _after_fork():  # a forked child inherits the pool object but not its threads
    _state["pool"], _state["pool_size"] = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def chunks(total, work_per_item=1, align=8):
    """[(lo, hi), …]: ``total`` items split for the threads available now, each chunk at least
    ``MIN_WORK`` units of work (``work_per_item`` units per item) and a multiple of ``align``
    items (whole SIMD vectors) except the last. One chunk when the pass is too small; up to
    ``CHUNKS_PER_THREAD`` chunks per thread, which the threads take in turn (``parallel_for``)."""
    most = (total * work_per_item) // MIN_WORK
    threads = num_threads()
    n = min(threads * CHUNKS_PER_THREAD, most) if most > 1 and threads > 1 else 1
    if n <= 1:
        return [(0, total)]
    step = -(-total // n)
    step = -(-step // align) * align
    return [(lo, min(total, lo + step)) for lo in range(0, total, step)]


def parallel_for(fn, total, work_per_item=1, align=8):
    """Call ``fn(lo, hi)`` on the chunks of ``range(total)`` (see ``chunks``), in parallel.

    ``fn`` must release the GIL for the threads to help (a ``nogil`` numba kernel, a NumPy
    ufunc) and write only its own part of the output. The calling thread and up to n − 1
    pool workers take the chunks in turn, so a worker that wakes late takes fewer (and one that
    has not started when the chunks are done is cancelled, not waited for); each chunk is
    computed by the same serial code whoever runs it, so results do not depend on the split.
    The first exception in any chunk is raised here once the running chunks have finished.

    Parameters
    ----------
    fn : callable
        ``fn(lo, hi)``.
    total : int
        Number of items.
    work_per_item : int, optional
        Units of work per item (e.g. Taylor coefficients per element), for the size threshold.
    align : int, optional
        Chunk boundaries are multiples of this.

    Returns
    -------
    int
        The number of chunks run.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.cpu import threads
    >>> x = np.arange(10.0); out = np.empty_like(x)
    >>> threads.parallel_for(lambda lo, hi: np.exp(x[lo:hi], out=out[lo:hi]), x.size)
    1
    >>> bool(np.array_equal(out, np.exp(x)))
    True
    """
    parts = chunks(total, work_per_item, align)
    if len(parts) == 1:
        fn(0, total)
        return 1
    helpers = min(num_threads(), len(parts)) - 1
    pool = _pool(helpers + 1)
    order = iter(range(len(parts)))
    take = threading.Lock()
    errors = []

    def drain():  # take chunks until none is left (or one has failed)
        while not errors:
            with take:
                i = next(order, None)
            if i is None:
                return
            try:
                fn(*parts[i])
            except BaseException as e:  # noqa: BLE001 - re-raised by the caller below
                errors.append(e)

    # each helper runs in a copy of the caller's context: NumPy's error state (np.errstate) is a
    # context variable, so a chunk that overflows under errstate(over="raise") raises in a
    # worker exactly as it would in the calling thread
    ctx = contextvars.copy_context()
    futures = [pool.submit(ctx.copy().run, drain) for _ in range(helpers)]
    drain()
    for f in futures:
        # a helper that has not started yet (a sleeping worker that wakes late) is cancelled
        # instead of waited for: the calling thread has already run its chunks
        if not f.cancel():
            f.result()
    if errors:
        raise errors[0]
    return len(parts)


# NumPy's ufuncs that cost several ns per float64 element (libm or long SIMD polynomials): worth
# splitting at a fraction of the size of a memory-bound add or multiply
_HEAVY = frozenset(("sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                    "arcsinh", "arccosh", "arctanh", "exp", "exp2", "expm1", "log", "log2",
                    "log10", "log1p", "power", "float_power", "arctan2", "hypot", "cbrt"))


def _ufunc_work(ufunc):
    return 8 if ufunc.__name__ in _HEAVY else 1  # ns per element, as MIN_WORK counts


def may_split(ufunc, size):
    """True when ``parallel_ufunc`` could split a call of ``ufunc`` with ``size`` outputs (a
    recording of smaller calls calls the ufunc directly and pays nothing)."""
    return size * _ufunc_work(ufunc) >= 2 * MIN_WORK


def parallel_ufunc(ufunc, *args, out):
    """``ufunc(*args, out=out)`` split into per-thread slices when ``out`` is large.

    NumPy runs a ufunc on one thread (its transcendental functions too). Operands that are
    C-contiguous arrays of ``out``'s shape, or scalars, are cut into the same flat slices;
    anything else (broadcasting, strides) runs as one call. The slices are computed by the same
    loop as the whole, so the result is bit for bit NumPy's.

    Parameters
    ----------
    ufunc : numpy.ufunc
        An elementwise ufunc with one output.
    *args : array_like
        Its inputs.
    out : numpy.ndarray
        The C-contiguous output.

    Returns
    -------
    numpy.ndarray
        ``out``.

    Examples
    --------
    >>> import numpy as np
    >>> from taylorad.cpu import threads
    >>> x = np.linspace(0.0, 1.0, 5)
    >>> bool(np.array_equal(threads.parallel_ufunc(np.sin, x, out=np.empty(5)), np.sin(x)))
    True
    """
    size = out.size
    work = _ufunc_work(ufunc)
    if size * work < 2 * MIN_WORK or num_threads() == 1 or not out.flags.c_contiguous:
        return ufunc(*args, out=out)
    flat = []
    for a in args:
        shape = getattr(a, "shape", None)
        if shape is None or shape == ():
            flat.append(a)
        elif shape == out.shape and a.flags.c_contiguous:
            flat.append(a.reshape(-1))
        else:
            return ufunc(*args, out=out)
    o = out.reshape(-1)

    def run(lo, hi):
        ufunc(*(a[lo:hi] if getattr(a, "ndim", 0) else a for a in flat), out=o[lo:hi])

    parallel_for(run, size, work)
    return out
