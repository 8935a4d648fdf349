"""taylorad.scipy — differentiable counterparts of SciPy functions (``taylorad.scipy.special``)."""
from . import special
from . import stats

__all__ = ["special", "stats"]
