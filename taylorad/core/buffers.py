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

__all__ = ["empty", "release", "POOL_BYTES", "POOL_MIN"]

_POOL = []  # large buffers (1-D uint8), reused once nothing outside the pool refers to them
POOL_BYTES = 512 << 20  # at most this much idle memory is kept
POOL_MIN = 1 << 16  # smaller outputs come from malloc (its small-chunk bins are never unmapped)
_LOCK = threading.Lock()


def empty(shape, dtype):
    """np.empty(shape, dtype), recycled from an earlier buffer of the same size that nothing
    outside the pool refers to any more (its arrays and their views are gone)."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < POOL_MIN:
        return np.empty(shape, dtype)
    with _LOCK:
        return _take(nbytes).view(dtype).reshape(shape)


def _take(nbytes):
    for i in range(len(_POOL)):
        buf = _POOL[i]
        # references: the pool's list, this variable, getrefcount's argument
        if buf.nbytes == nbytes and sys.getrefcount(buf) == 3:
            del _POOL[i]
            _POOL.append(buf)  # most recently used last
            return buf
    buf = np.empty(nbytes, np.uint8)
    _POOL.append(buf)
    total = sum(b.nbytes for b in _POOL)
    i = 0
    while total > POOL_BYTES and i < len(_POOL) - 1:  # drop idle buffers, least recently used first
        b = _POOL[i]
        if sys.getrefcount(b) == 3:
            total -= b.nbytes
            del _POOL[i]
        else:
            i += 1
        del b
    return buf


def release():
    """Drop every idle buffer (buffers still in use stay until their arrays are gone)."""
    with _LOCK:
        _POOL[:] = [b for b in _POOL if sys.getrefcount(b) > 3]  # list, loop variable, argument
