"""taylorad.scipy — differentiable counterparts of SciPy functions (``taylorad.scipy.special``)."""
from . import special

__all__ = ["special"]
