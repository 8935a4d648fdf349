"""Running a test's work on several Python threads at once (tests/test_threads.py,
test_regions.py, test_facade_threads.py)."""
import sys
import threading
from concurrent.futures import ThreadPoolExecutor


def in_threads(target, n):
    """target(k) for k < n on n threads released together (switching often); the results in
    order, or the first error raised."""
    barrier = threading.Barrier(n)

    def work(k):
        barrier.wait()
        return target(k)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so that interleavings do happen
    try:
        with ThreadPoolExecutor(n) as pool:
            return list(pool.map(work, range(n)))
    finally:
        sys.setswitchinterval(interval)
