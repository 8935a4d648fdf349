"""``from taylorad.common.initializer import Normal, initializer`` — MindSpore's
``mindspore.common.initializer`` (see taylorad._facade.initializer)."""
from .._facade.initializer import *  # noqa: F403
from .._facade.initializer import __all__  # noqa: F401
