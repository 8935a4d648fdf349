"""``import taylorad.context as context`` — MindSpore's ``mindspore.context``."""
from ._facade.context import GRAPH_MODE, PYNATIVE_MODE, get_context, set_context

__all__ = ["GRAPH_MODE", "PYNATIVE_MODE", "get_context", "set_context"]
