"""``from taylorad import dtype as mstype`` — MindSpore's dtype objects (Float32 …)."""
from ._facade.dtype import *  # noqa: F403
from ._facade.dtype import __all__  # noqa: F401
