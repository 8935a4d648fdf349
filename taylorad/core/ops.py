"""The handful of taylorad primitives the core machinery itself needs.

Filled in by ``taylorad.numpy`` when it is imported (the core must not import it at module level:
``taylorad.numpy`` is built on the core). Names: add, multiply, broadcast_to, reshape, stack,
concatenate, index_add_many, sum, sqrt, zeros_like, ones_like, astype.
"""
