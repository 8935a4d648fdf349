"""``import taylorad.nn as nn`` — MindSpore's ``mindspore.nn`` (Cell and a few layers)."""
from ._facade.nn import *  # noqa: F403
from ._facade.nn import __all__  # noqa: F401
