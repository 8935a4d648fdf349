"""Checkpoints: ``save_checkpoint`` / ``load_checkpoint`` / ``load_param_into_net``.

Format (docs/specs/mindspore-training.md §5): a NumPy ``.npz`` archive (a zip file, whatever the
file name ends with) holding one array per Parameter under its full name, plus the entry
``__taylorad_checkpoint__`` = ``[1]`` (the format version). It is readable with plain
``numpy.load``. MindSpore's own ``.ckpt`` files are protobuf messages; reading them would need
the protobuf package and MindSpore's schema, so they are refused with a message saying how to
convert one (in MindSpore: ``numpy.savez(path, **{k: v.asnumpy() for k, v in
mindspore.load_checkpoint(ckpt).items()})``).
"""
import os
import uuid
import zipfile

import numpy as np

from .cell import Cell
from .tensor import Parameter, Tensor

__all__ = ["save_checkpoint", "load_checkpoint", "load_param_into_net"]

_MARK = "__taylorad_checkpoint__"


def _items(save_obj, fname):
    if isinstance(save_obj, Cell):
        return [(name, p) for name, p in save_obj.parameters_and_names()]
    if isinstance(save_obj, dict):
        return list(save_obj.items())
    if isinstance(save_obj, (list, tuple)):
        out = []
        for k, e in enumerate(save_obj):
            if isinstance(e, Parameter):
                out.append((e.name, e))
            elif isinstance(e, dict) and "name" in e and "data" in e:
                out.append((e["name"], e["data"]))
            else:
                raise TypeError(f"{fname}: save_obj[{k}] must be a Parameter or a dict "
                                f"{{'name': ..., 'data': ...}}, got {type(e).__name__}")
        return out
    raise TypeError(f"{fname}: save_obj must be a Cell, a dict name -> Parameter/Tensor or a "
                    f"list of {{'name', 'data'}} dicts, got {type(save_obj).__name__}")


def save_checkpoint(save_obj, ckpt_file_name, integrated_save=True, async_save=False,
                    append_dict=None, enc_key=None, enc_mode="AES-GCM", choice_func=None,
                    **kwargs):
    """Write the Parameters of ``save_obj`` to ``ckpt_file_name`` (an ``.npz`` archive).

    Parameters
    ----------
    save_obj : Cell, dict or list
        A network (all its Parameters, trainable or not, under their full names), a dict
        name -> Parameter/Tensor/array, or a list of ``{'name': str, 'data': Tensor}``.
    ckpt_file_name : str or path
        The file to write (``.ckpt`` is appended if the name has no suffix).
    append_dict : dict, optional
        Extra name -> number/Tensor entries.
    choice_func : callable, optional
        Keeps only the names for which ``choice_func(name)`` is true.

    Returns
    -------
    None

    Examples
    --------
    >>> import os, tempfile, taylorad as ms, taylorad.nn as nn
    >>> net = nn.Dense(2, 1)
    >>> path = os.path.join(tempfile.mkdtemp(), 'net.ckpt')
    >>> ms.save_checkpoint(net, path)
    >>> sorted(ms.load_checkpoint(path))
    ['bias', 'weight']
    """
    fname = "save_checkpoint"
    if enc_key is not None:
        raise ValueError(f"{fname}: encrypted checkpoints (enc_key) are not supported")
    path = os.fspath(ckpt_file_name)
    if not os.path.splitext(path)[1]:
        path += ".ckpt"
    arrays = {}
    for name, v in _items(save_obj, fname):
        if choice_func is not None and not choice_func(name):
            continue
        if not isinstance(name, str) or name == _MARK:
            raise ValueError(f"{fname}: invalid parameter name {name!r}")
        arrays[name] = np.asarray(v.asnumpy() if isinstance(v, Tensor) else v)
    for name, v in (append_dict or {}).items():
        arrays[name] = np.asarray(v.asnumpy() if isinstance(v, Tensor) else v)
    arrays[_MARK] = np.array([1], np.int32)
    # written to a temporary file next to the target, then renamed over it: a save that fails
    # half-way (or two threads saving to one path) never leaves a truncated checkpoint behind
    folder, base = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{base}.{uuid.uuid4().hex}.tmp")  # open(): the umask's mode
    try:
        with open(tmp, "xb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_checkpoint(ckpt_file_name, net=None, strict_load=False, filter_prefix=None,
                    dec_key=None, dec_mode="AES-GCM", specify_prefix=None, choice_func=None,
                    **kwargs):
    """Read a checkpoint written by :func:`save_checkpoint` into a dict name -> Parameter.

    Parameters
    ----------
    ckpt_file_name : str or path
    net : Cell, optional
        If given, the values are also loaded into it (:func:`load_param_into_net`).
    strict_load : bool
        Passed to :func:`load_param_into_net`.
    filter_prefix, specify_prefix : str or tuple of str, optional
        Drop / keep only the names starting with these prefixes.
    choice_func : callable, optional
        Keeps the names for which ``choice_func(name)`` is true.

    Returns
    -------
    dict
        name -> Parameter (``requires_grad=True``, as MindSpore's).

    Examples
    --------
    >>> import os, tempfile, numpy as np, taylorad as ms
    >>> path = os.path.join(tempfile.mkdtemp(), 'a.ckpt')
    >>> ms.save_checkpoint({'a': ms.Tensor(np.ones(2, np.float32))}, path)
    >>> print(ms.load_checkpoint(path)['a'].asnumpy())
    [1. 1.]
    """
    fname = "load_checkpoint"
    if dec_key is not None:
        raise ValueError(f"{fname}: encrypted checkpoints (dec_key) are not supported")
    path = os.fspath(ckpt_file_name)
    if not os.path.isfile(path):
        raise ValueError(f"{fname}: no checkpoint file at {path!r}")
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{fname}: {path!r} is not a taylorad checkpoint (an .npz archive). MindSpore's "
            f".ckpt files are protobuf messages, which taylorad does not read; convert one in "
            f"MindSpore with numpy.savez(out, **{{k: v.asnumpy() for k, v in "
            f"mindspore.load_checkpoint(ckpt).items()}}) and load the .npz here")
    with np.load(path, allow_pickle=False) as z:
        names = [n for n in z.files if n != _MARK]
        if _MARK not in z.files:
            pass  # a plain .npz of arrays (e.g. converted from MindSpore) is accepted as well
        data = {n: z[n] for n in names}

    def pref(p):
        return (p,) if isinstance(p, str) else tuple(p or ())

    out = {}
    for n, a in data.items():
        if filter_prefix is not None and n.startswith(pref(filter_prefix)):
            continue
        if specify_prefix is not None and not n.startswith(pref(specify_prefix)):
            continue
        if choice_func is not None and not choice_func(n):
            continue
        out[n] = Parameter(Tensor(a), name=n)
    if net is not None:
        load_param_into_net(net, out, strict_load=strict_load)
    return out


def load_param_into_net(net, parameter_dict, strict_load=False, **kwargs):
    """Copy the values of ``parameter_dict`` into the Parameters of ``net`` with the same names.

    Parameters
    ----------
    net : Cell
    parameter_dict : dict
        name -> Parameter/Tensor/array (e.g. from :func:`load_checkpoint`).
    strict_load : bool
        Accepted for compatibility (names must match exactly either way).

    Returns
    -------
    tuple of (list, list)
        ``(param_not_load, ckpt_not_load)``: the names of ``net``'s Parameters that got no value,
        and the names in ``parameter_dict`` that ``net`` has no Parameter for.

    Raises
    ------
    RuntimeError
        A value's shape differs from its Parameter's.

    Examples
    --------
    >>> import numpy as np, taylorad as ms, taylorad.nn as nn
    >>> net = nn.Dense(2, 1)
    >>> ms.load_param_into_net(net, {'weight': ms.Tensor(np.ones((1, 2), np.float32))})
    (['bias'], [])
    >>> print(net.weight.asnumpy())
    [[1. 1.]]
    """
    fname = "load_param_into_net"
    if not isinstance(net, Cell):
        raise TypeError(f"{fname}: net must be a Cell, got {type(net).__name__}")
    if not isinstance(parameter_dict, dict):
        raise TypeError(f"{fname}: parameter_dict must be a dict, got "
                        f"{type(parameter_dict).__name__}")
    params = dict(net.parameters_and_names())
    param_not_load, loads = [], []
    for name, p in params.items():
        if name not in parameter_dict:
            param_not_load.append(name)
            continue
        v = parameter_dict[name]
        a = np.asarray(v.asnumpy() if isinstance(v, Tensor) else v)
        if tuple(a.shape) != tuple(p.shape):
            raise RuntimeError(f"{fname}: the shape of '{name}' in the checkpoint is "
                               f"{list(a.shape)} but the network's Parameter has shape "
                               f"{list(p.shape)} — no Parameter was changed; load a checkpoint "
                               f"of this network (or drop '{name}' from parameter_dict)")
        loads.append((name, p, a))
    for _, p, a in loads:  # all shapes checked first: a mismatch leaves the network unchanged
        p.set_data(Tensor(a.astype(np.dtype(p.asnumpy().dtype), copy=False)))
    used = {name for name, _, _ in loads}
    ckpt_not_load = [n for n in parameter_dict if n not in used]
    return param_not_load, ckpt_not_load
