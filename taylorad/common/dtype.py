"""``taylorad.common.dtype`` — MindSpore's ``mindspore.common.dtype`` (see taylorad.dtype)."""
from .._facade.dtype import *  # noqa: F403
from .._facade.dtype import __all__  # noqa: F401
