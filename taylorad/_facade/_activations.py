"""Activation functions shared by the facade's Cells (nn) and functional ops, in taylorad.numpy
(a module of its own: ops must not import nn, which imports the training cells and grad)."""
import math

from .. import numpy as tnp


def _silu(v):
    return tnp.multiply(v, tnp.sigmoid(v))


def _gelu_erf(v):
    return tnp.multiply(tnp.multiply(v, 0.5), tnp.add(tnp.erf(tnp.multiply(v, 1 / math.sqrt(2))),
                                                        1.0))


def _gelu_tanh(v):
    inner = tnp.multiply(tnp.add(v, tnp.multiply(tnp.power(v, 3), 0.044715)),
                         math.sqrt(2 / math.pi))
    return tnp.multiply(tnp.multiply(v, 0.5), tnp.add(tnp.tanh(inner), 1.0))
