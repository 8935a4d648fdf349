"""``mindspore.common`` spelled ``taylorad.common``: ``initializer`` and ``dtype``.

Examples
--------
>>> from taylorad.common.initializer import Normal, initializer
>>> initializer(Normal(sigma=0.0), (2,)).asnumpy()
array([0., 0.], dtype=float32)
"""
from . import dtype, initializer
from .._facade.initializer import set_seed, get_seed

__all__ = ["dtype", "initializer", "set_seed", "get_seed"]
