"""The core: tracing, reverse mode, Taylor mode and the rule builders (no NumPy API here)."""
from .reverse import Node, ReverseTrace, VJPBox, grad_core
from .taylor import TaylorBox, TaylorTrace, taylor_eval
from .trace import Box, Primitive, getval, is_traced

__all__ = ["Box", "Node", "Primitive", "ReverseTrace", "TaylorBox", "TaylorTrace", "VJPBox",
           "getval", "grad_core", "is_traced", "taylor_eval"]
