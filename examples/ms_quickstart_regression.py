"""MindSpore 2.x quick-start training loop on a small regression
=============================================================

MindSpore's quick-start tutorial, with its data set replaced by an in-memory regression problem
(y = sin(x) + 0.1·x² + noise on [−3, 3]) and its classifier by a small tanh MLP: the network is an
``nn.Cell`` built from ``nn.SequentialCell`` and ``nn.Dense``; the loss is ``nn.MSELoss``; the
training step is the 2.x functional loop::

    grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)
    (loss, _), grads = grad_fn(data, label)
    optimizer(grads)

with ``nn.Adam``. The output has the tutorial's format (``loss: ...  [batch/size]``, ``Test:
Avg loss``, ``Done!``).

The initial weights are given as Tensors drawn from a NumPy generator, so MindSpore starts from
the same weights: to run this program in MindSpore replace the two ``taylorad`` imports marked
below by ``import mindspore as ms`` / ``from mindspore import nn``; it prints the same losses to
float32 rounding. ``mindspore.dataset`` is not part of taylorad: the batches are NumPy slices.

Run::

    python examples/ms_quickstart_regression.py                          # 10 epochs, ~2 s
    TAYLORAD_EXAMPLES_FAST=1 python examples/ms_quickstart_regression.py  # 2 epochs
"""
# examples-test: expect ^loss: \d+\.\d{6}  \[  0/ 16\]$
# examples-test: expect ^ Avg loss: \d+\.\d{6} $
# examples-test: expect ^Done!$
import os

import numpy as np

import taylorad as ms  # MindSpore: import mindspore as ms
from taylorad import nn  # MindSpore: from mindspore import nn

FAST = os.environ.get("TAYLORAD_EXAMPLES_FAST") == "1"
BATCH_SIZE = 16
WIDTH = 32


def make_data(n, seed):
    """x uniform on [−3, 3], y = sin(x) + 0.1·x² + N(0, 0.05²); float32 arrays (n, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, (n, 1))
    y = np.sin(x) + 0.1 * x ** 2 + 0.05 * rng.standard_normal((n, 1))
    return x.astype(np.float32), y.astype(np.float32)


def batches(x, y, batch_size=BATCH_SIZE):
    """(data, label) Tensor batches, as a MindSpore dataset's create_tuple_iterator() gives."""
    for i in range(0, len(x), batch_size):
        yield ms.Tensor(x[i:i + batch_size]), ms.Tensor(y[i:i + batch_size])


def initial_weights(seed=0, width=WIDTH):
    """The weights and biases of the three Dense layers (Glorot-scaled normal, zero biases)."""
    rng = np.random.default_rng(seed)
    shapes = [(width, 1), (width, width), (1, width)]
    return [((rng.standard_normal(s) * np.sqrt(2.0 / sum(s))).astype(np.float32),
             np.zeros(s[0], np.float32)) for s in shapes]


class Network(nn.Cell):
    def __init__(self, weights):
        super().__init__()
        (w1, b1), (w2, b2), (w3, b3) = weights
        self.dense_tanh_sequential = nn.SequentialCell(
            nn.Dense(1, WIDTH, weight_init=ms.Tensor(w1), bias_init=ms.Tensor(b1)),
            nn.Tanh(),
            nn.Dense(WIDTH, WIDTH, weight_init=ms.Tensor(w2), bias_init=ms.Tensor(b2)),
            nn.Tanh(),
            nn.Dense(WIDTH, 1, weight_init=ms.Tensor(w3), bias_init=ms.Tensor(b3)),
        )

    def construct(self, x):
        return self.dense_tanh_sequential(x)


def build(learning_rate=1e-2, seed=0):
    """The model, the loss function, the optimizer and the training step."""
    model = Network(initial_weights(seed))
    loss_fn = nn.MSELoss()
    optimizer = nn.Adam(model.trainable_params(), learning_rate=learning_rate)

    def forward_fn(data, label):
        logits = model(data)
        loss = loss_fn(logits, label)
        return loss, logits

    grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)

    def train_step(data, label):
        (loss, _), grads = grad_fn(data, label)
        optimizer(grads)
        return loss

    return model, loss_fn, optimizer, train_step


def train_loop(model, train_step, x, y):
    size = (len(x) + BATCH_SIZE - 1) // BATCH_SIZE
    model.set_train()
    losses = []
    for batch, (data, label) in enumerate(batches(x, y)):
        loss = train_step(data, label)
        losses.append(float(loss.asnumpy()))
        if batch % 4 == 0:
            loss, current = loss.asnumpy(), batch
            print(f"loss: {loss:>7f}  [{current:>3d}/{size:>3d}]")
    return losses


def test_loop(model, x, y, loss_fn):
    num_batches = 0
    total = 0.0
    model.set_train(False)
    for data, label in batches(x, y):
        pred = model(data)
        total += loss_fn(pred, label).asnumpy()
        num_batches += 1
    test_loss = total / num_batches
    print(f"Test: \n Avg loss: {test_loss:>8f} \n")
    return float(test_loss)


def main():
    ms.set_context(mode=ms.PYNATIVE_MODE)
    x_train, y_train = make_data(256, seed=1)
    x_test, y_test = make_data(128, seed=2)
    model, loss_fn, _, train_step = build()
    epochs = 2 if FAST else 10
    for t in range(epochs):
        print(f"Epoch {t + 1}\n-------------------------------")
        train_loop(model, train_step, x_train, y_train)
        test_loop(model, x_test, y_test, loss_fn)
    print("Done!")


if __name__ == "__main__":
    main()
