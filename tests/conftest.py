import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def split(monkeypatch):
    """Four threads and a small split threshold (taylorad.cpu.threads), so that test-sized arrays
    are split into chunks and test-sized jit programs form parallel regions."""
    from taylorad.cpu import threads  # noqa: PLC0415

    monkeypatch.setattr(threads, "MIN_WORK", 64)
    threads.set_num_threads(4)
    yield
    threads.set_num_threads(None)
