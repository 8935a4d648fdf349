"""taylorad.scipy.special: erf, erfc, expit, logit, logsumexp, softmax, log_softmax, xlogy.

Each is a taylorad primitive or a composition of primitives (VJP and Taylor rules of any order);
``softmax``/``log_softmax``/``logsumexp`` default to ``axis=None`` as SciPy does.
"""
from ..numpy.elementwise import erf, erfc
from ..numpy.reductions import log_softmax as _log_softmax
from ..numpy.reductions import logsumexp as _logsumexp
from ..numpy.reductions import softmax as _softmax
from ..numpy.transcendental import log, sigmoid

__all__ = ["erf", "erfc", "expit", "logit", "logsumexp", "softmax", "log_softmax", "xlogy"]

expit = sigmoid


def logit(p):
    """log(p / (1 − p)), the inverse of expit."""
    return log(p) - log(1.0 - p)


def xlogy(x, y):
    """x·log(y) (as scipy.special.xlogy; the x = 0 special case is not applied when traced)."""
    return x * log(y)


def logsumexp(a, axis=None, keepdims=False):
    """scipy.special.logsumexp without weights (``b``) or ``return_sign``."""
    return _logsumexp(a, axis=axis, keepdims=keepdims)


def softmax(x, axis=None):
    """scipy.special.softmax: exp(x − logsumexp(x, axis)) (axis None: over all entries)."""
    return _softmax(x, axis=axis)


def log_softmax(x, axis=None):
    """scipy.special.log_softmax (axis None: over all entries)."""
    return _log_softmax(x, axis=axis)
