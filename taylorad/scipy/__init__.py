"""taylorad.scipy — differentiable counterparts of SciPy functions (``taylorad.scipy.special``,
``taylorad.scipy.linalg``)."""
from . import special
from . import linalg  # noqa: E402 - solve_triangular, cho_factor/cho_solve, cholesky, …

__all__ = ["special"]
__all__ += ["linalg"]
