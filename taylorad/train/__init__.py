"""``taylorad.train`` — the checkpoint functions of MindSpore's ``mindspore.train``.

``Model`` and the callbacks are not provided: write the training loop (the MindSpore 2.x
functional loop or ``nn.TrainOneStepCell``) instead.

Examples
--------
>>> from taylorad.train import save_checkpoint, load_checkpoint, load_param_into_net
"""
from .._facade.serialization import load_checkpoint, load_param_into_net, save_checkpoint

__all__ = ["save_checkpoint", "load_checkpoint", "load_param_into_net"]
