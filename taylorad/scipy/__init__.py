"""taylorad.scipy — differentiable counterparts of SciPy functions (``taylorad.scipy.special``,
``taylorad.scipy.linalg``, ``taylorad.scipy.stats``)."""
from . import special
from . import linalg  # noqa: E402 - solve_triangular, cho_factor/cho_solve, cholesky, …
from . import stats

__all__ = ["special", "linalg", "stats"]
