"""Recycled memory for large temporaries of the Taylor rules.

A fresh large NumPy array is mmap'ed by malloc and page-faulted on first write — about 0.1 ms per
MB, and on machines where transparent huge pages need compaction, sometimes ten times that: a
series of K = 8 coefficients of 10⁶ float64 costs 6 ms or more just to be touched. The rules
that produce the largest arrays (the fused kernels' outputs, sums of series) take their output
buffers from here instead: an earlier buffer of the same size that nothing outside this pool
refers to any more is handed out again. At most ``POOL_BYTES`` of idle memory is kept;
``release()`` returns all of it.
"""
import math
import sys
import threading

import numpy as np

__all__ = ["empty", "in_use", "pooled_ufunc", "release", "POOL_BYTES", "POOL_MIN"]

_POOL = {}  # nbytes -> [1-D uint8 buffers of that size]; a buffer is idle when only we hold it
_TOTAL = [0]  # bytes held by the pool, idle or not
POOL_BYTES = 512 << 20  # above this, idle buffers are dropped
POOL_MIN = 1 << 16  # smaller outputs come from malloc (its small-chunk bins are never unmapped)
_LOCK = threading.Lock()


def _settle_malloc(nbytes=4 << 20):
    """Allocate and free one ``nbytes`` block, once.

    glibc's malloc starts by returning freed memory at the top of its heap to the OS whenever
    more than 128 KiB of it is free, so a program whose arrays are all smaller than that (an
    eager HVP on 10⁴ elements: temporaries of 40-80 KB) grows the heap and page-faults it again
    on every call: 154 page faults, half the time of the call here (564 vs 294 µs). glibc's own
    documented remedy is its dynamic threshold: once an mmap'ed block is freed, blocks up to
    that size come from the heap and up to twice that size of free heap is kept. Every NumPy
    program that frees one array over 128 KiB reaches that state; this reaches it at import.
    Explicit settings (``MALLOC_TOP_PAD_``, ``MALLOC_TRIM_THRESHOLD_``, ``mallopt``) switch the
    dynamic threshold off, and are then left as they are; other allocators ignore it."""
    block = np.empty(nbytes, np.uint8)
    block[::4096] = 0  # mapped for real (malloc may defer the mmap of an untouched block)
    del block


_settle_malloc()


def empty(shape, dtype):
    """np.empty(shape, dtype), recycled from an earlier buffer of the same size that nothing
    outside the pool refers to any more (its arrays and their views are gone)."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < POOL_MIN:
        return np.empty(shape, dtype)
    with _LOCK:
        return _take(nbytes).view(dtype).reshape(shape)


def _idle(buf):
    # references: the pool's list, the caller's variable, this argument, getrefcount's argument
    return sys.getrefcount(buf) == 4


def _take(nbytes):
    bufs = _POOL.get(nbytes)
    if bufs is None:
        bufs = _POOL[nbytes] = []
    for i in range(len(bufs) - 1, -1, -1):  # the most recently handed out first: the idle
        buf = bufs[i]                         # buffer most likely still in the CPU's caches
        if _idle(buf):
            if i != len(bufs) - 1:
                del bufs[i]
                bufs.append(buf)
            return buf
    buf = np.empty(nbytes, np.uint8)
    bufs.append(buf)
    _TOTAL[0] += nbytes
    if _TOTAL[0] > POOL_BYTES:
        _drop_idle(keep=buf)
    return buf


def _drop_idle(keep=None):
    for size in list(_POOL):
        kept, b = [], None
        for b in _POOL[size]:
            if b is keep or not _idle(b):
                kept.append(b)
            else:
                _TOTAL[0] -= size
        del b
        if kept:
            _POOL[size] = kept
        else:
            del _POOL[size]


def in_use():
    """Bytes of pooled buffers that arrays outside the pool still refer to (0 once every result
    and temporary of the computations that used the pool is gone).

    Returns
    -------
    int
        The size of the buffers checked out, in bytes.

    Examples
    --------
    >>> from taylorad.core import buffers
    >>> import gc; _ = gc.collect(); buffers.in_use()
    0
    """
    with _LOCK:
        busy, b = 0, None
        for size, bufs in _POOL.items():
            for b in bufs:
                if not _idle(b):
                    busy += size
            b = None
        return busy


def release():
    """Drop every idle buffer (buffers still in use stay until their arrays are gone)."""
    with _LOCK:
        _drop_idle()


_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))
# eager primitive calls check, promote and look up a buffer (a few µs): worth it only where a
# fresh result would cost more in page faults
UFUNC_MIN = 1 << 18


def pooled_ufunc(ufunc):
    """``call(args, params)``: ``ufunc(*args)`` with its output in recycled memory when an
    operand is a large float NumPy array and the rest are NumPy arrays or Python numbers, else
    None (the caller runs the primitive's own implementation). Used by taylorad's elementwise
    primitives whose implementation is exactly ``ufunc`` on such operands."""
    ndarray, pyscalars = np.ndarray, (float, int)

    def call(args, params):
        if params:
            return None
        big = False
        for a in args:
            t = type(a)
            if t is ndarray:
                if a.nbytes >= UFUNC_MIN:
                    if not a.flags.c_contiguous:  # a pooled output is C-ordered: NumPy's own
                        return None  # output follows a transposed operand's layout instead
                    big = True
            elif t not in pyscalars:
                return None
        if not big:
            return None
        dtype = np.result_type(*args)
        if dtype not in _FLOATS:
            return None
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        return ufunc(*args, out=empty(shape, dtype))

    return call
