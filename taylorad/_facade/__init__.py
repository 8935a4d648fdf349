"""The MindSpore-compatible facade (DESIGN.md §2): Tensor, Parameter, Cell, ops, GradOperation.

A MindSpore program runs after replacing ``mindspore`` by ``taylorad`` in its imports. The facade
is thin: arrays live in Tensors, ops are taylorad.numpy functions and every gradient — nested to
any depth — is one call of taylorad's core ``grad_core`` (forward over reverse).
"""
from . import context, dtype, nn, ops
from .cell import Cell
from .dtype import (bool_, complex64, complex128, double, float16, float32, float64, float_,
                    half, int8, int16, int32, int64, int_, single, uint8, uint16, uint32, uint64)
from .grad import GradOperation, grad, jacfwd, jacrev, jvp, value_and_grad, vjp
from .taylor import derivative, jet
from .tensor import Parameter, ParameterTuple, Tensor

__all__ = ["Cell", "GradOperation", "Parameter", "ParameterTuple", "Tensor", "context",
           "derivative", "dtype", "grad", "jacfwd", "jacrev", "jet", "jvp", "nn", "ops",
           "value_and_grad", "vjp", "bool_", "complex64", "complex128", "double", "float16",
           "float32", "float64", "float_", "half", "int8", "int16", "int32", "int64", "int_",
           "single", "uint8", "uint16", "uint32", "uint64"]
