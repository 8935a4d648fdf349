"""The MindSpore facade's state between calls, under threads and after exceptions.

Several threads each train their own network with their own optimizer at the same time (the
2.x functional loop and TrainOneStepCell, first- and second-order losses); every thread's
weights and losses must equal the same training run alone on one thread (computed first, as the
independent reference). ``set_seed`` in one thread must not change the numbers another thread
draws; ``set_context`` and the optimizers apply all or nothing when they raise.
"""
import threading

import numpy as np
import pytest

import taylorad as ms
from taylorad import Parameter, Tensor, nn, ops
from taylorad.common.initializer import Normal, initializer
from thread_cases import in_threads

F32 = np.float32
N_THREADS = 4
STEPS = 25


def _run_threads(target, n=N_THREADS):
    return in_threads(target, n)


def _data(k):
    rng = np.random.default_rng(100 + k)
    x = rng.uniform(-1, 1, (16, 2)).astype(F32)
    return Tensor(x), Tensor((np.sin(2 * x[:, :1]) + x[:, 1:] ** 2).astype(F32))


def _net(k):
    rng = np.random.default_rng(k)
    w1 = Tensor(rng.normal(0, 0.5, (8, 2)).astype(F32))
    w2 = Tensor(rng.normal(0, 0.5, (1, 8)).astype(F32))
    return nn.SequentialCell([nn.Dense(2, 8, w1, "zeros", activation="tanh"),
                              nn.Dense(8, 1, w2, "zeros")])


def _train_functional(k):
    """The 2.x loop: value_and_grad over optimizer.parameters, then optimizer(grads)."""
    net, (x, y) = _net(k), _data(k)
    opt = [nn.Adam, nn.SGD, nn.Momentum, nn.RMSProp][k % 4]
    opt = opt(net.trainable_params(), 0.01, 0.9) if opt is nn.Momentum else \
        opt(net.trainable_params(), 0.01)
    loss_fn = nn.MSELoss()

    def forward(x, y):
        out = net(x)
        return loss_fn(out, y), out

    step = ms.value_and_grad(forward, None, opt.parameters, has_aux=True)
    losses = []
    for _ in range(STEPS):
        (loss, _), grads = step(x, y)
        opt(grads)
        losses.append(float(loss.asnumpy()))
    return losses, [p.asnumpy() for p in net.trainable_params()]


def _train_cell(k):
    """TrainOneStepCell(WithLossCell(net, loss), optimizer)."""
    net, (x, y) = _net(k), _data(k)
    train = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()),
                                nn.Adam(net.trainable_params(), 0.02))
    losses = [float(train(x, y).asnumpy()) for _ in range(STEPS)]
    return losses, [p.asnumpy() for p in net.trainable_params()]


def _train_second_order(k):
    """A PINN-like loss with ops.grad inside it (nested differentiation), Adam."""
    net = _net(k)
    x = Tensor(np.linspace(-1, 1, 9, dtype=F32).reshape(-1, 1).repeat(2, axis=1))
    opt = nn.Adam(net.trainable_params(), 0.01)
    du = ops.grad(lambda z: net(z).sum())

    def loss(x):
        return ((du(x) - 1.0) ** 2).mean()

    step = ms.value_and_grad(loss, None, opt.parameters)
    losses = []
    for _ in range(8):
        value, grads = step(x)
        opt(grads)
        losses.append(float(value.asnumpy()))
    return losses, [p.asnumpy() for p in net.trainable_params()]


@pytest.mark.parametrize("train", [_train_functional, _train_cell, _train_second_order])
def test_threads_training_their_own_networks_match_one_thread(train):
    want = [train(k) for k in range(N_THREADS)]  # each run alone: the reference
    got = _run_threads(train)
    for k in range(N_THREADS):
        assert got[k][0] == want[k][0], f"thread {k}: losses differ from its run alone"
        for a, b in zip(got[k][1], want[k][1]):
            np.testing.assert_array_equal(a, b)








def test_a_gradient_in_another_thread_never_restores_this_threads_parameters():
    """Thread A is inside its forward pass (its Parameter holds a traced value) when thread B
    starts a gradient of its own network; A then finishes its step and updates its Parameter
    before B's forward pass ends. B must leave A's Parameter alone (it used to restore the
    traced value of A's old step into it, undoing A's update)."""
    a_in_forward, b_in_forward, a_updated = (threading.Event() for _ in range(3))
    wa = Parameter(Tensor(np.array([1.0, 2.0], F32)), name="wa")
    wb = Parameter(Tensor(np.array([3.0], F32)), name="wb")
    x = Tensor(np.array([0.5, -1.0], F32))

    def fa(x):
        out = (wa * x).sum()
        a_in_forward.set()
        b_in_forward.wait(10)  # B has started its gradient while wa holds a traced value
        return out

    def fb(x):
        b_in_forward.set()
        a_updated.wait(10)  # still inside B's forward when A has finished its step
        return (wb * x).sum()

    def thread_a():
        nn.SGD([wa], 1.0)(ms.grad(fa, None, [wa])(x))
        a_updated.set()

    def thread_b():
        a_in_forward.wait(10)
        return ms.grad(fb, None, [wb])(x)

    ta, tb = threading.Thread(target=thread_a), threading.Thread(target=thread_b)
    tb.start()
    ta.start()
    ta.join()
    tb.join()
    np.testing.assert_array_equal(wa.asnumpy(), np.array([0.5, 3.0], F32))  # w - x
    np.testing.assert_array_equal(wb.asnumpy(), np.array([3.0], F32))


def test_set_seed_in_one_thread_does_not_change_another_threads_numbers():
    def draw(k):
        ms.set_seed(10 + k)
        return [initializer(Normal(1.0), (64,)).asnumpy() for _ in range(20)]

    want = [draw(k) for k in range(N_THREADS)]
    got = _run_threads(draw)
    for k in range(N_THREADS):
        for a, b in zip(got[k], want[k]):
            np.testing.assert_array_equal(a, b)
    # ... and the seeds differ, so the streams do
    assert not np.array_equal(want[0][0], want[1][0])


def test_threads_without_set_seed_share_one_stream_without_repeats():
    """Threads that never call set_seed draw from the main thread's generator: the numbers
    drawn together are those of the seeded stream, each once (no two draws repeat)."""
    def seeded_stream(n):
        ms.set_seed(7)
        return np.concatenate([initializer(Normal(1.0), (32,)).asnumpy() for _ in range(n)])

    n_each = 10
    want = seeded_stream(N_THREADS * n_each)
    ms.set_seed(7)
    got = _run_threads(lambda k: [initializer(Normal(1.0), (32,)).asnumpy()
                                  for _ in range(n_each)])
    blocks = [b for per_thread in got for b in per_thread]
    # each draw is one contiguous block of the stream, and together they are the whole stream
    want_blocks = {want[i * 32:(i + 1) * 32].tobytes() for i in range(N_THREADS * n_each)}
    assert {b.tobytes() for b in blocks} == want_blocks
    assert ms.get_seed() == 7


def test_set_context_is_all_or_nothing():
    ms.set_context(mode=ms.GRAPH_MODE)
    with pytest.raises(ValueError, match="unknown setting 'no_such_key'"):
        ms.set_context(mode=ms.PYNATIVE_MODE, no_such_key=1)
    assert ms.get_context("mode") == ms.GRAPH_MODE
    with pytest.raises(ValueError, match="device_target"):
        ms.set_context(mode=ms.PYNATIVE_MODE, device_target="TPU")
    assert ms.get_context("mode") == ms.GRAPH_MODE


def _adam_and_params():
    w = Parameter(Tensor(np.array([1.0, -2.0], F32)), name="w")
    b = Parameter(Tensor(np.array([0.5], F32)), name="b")
    return nn.Adam([w, b], 0.1), w, b


def test_optimizer_step_that_raises_changes_nothing():
    opt, w, b = _adam_and_params()
    good = (Tensor(np.array([0.3, -0.1], F32)), Tensor(np.array([0.2], F32)))
    opt(good)
    before = [p.asnumpy().copy() for p in opt.get_parameters()]
    # the second gradient has the wrong shape: the first Parameter must not be updated, nor
    # the beta powers, the moments or global_step
    with pytest.raises(ValueError, match="gradient 1 has shape"):
        opt((good[0], Tensor(np.ones(3, F32))))
    after = [p.asnumpy() for p in opt.get_parameters()]
    for x, y in zip(before, after):
        np.testing.assert_array_equal(x, y)
    # the next good step is the second step of an optimizer that never saw the bad one
    opt(good)
    ref, rw, rb = _adam_and_params()
    ref(good)
    ref(good)
    np.testing.assert_array_equal(w.asnumpy(), rw.asnumpy())
    np.testing.assert_array_equal(b.asnumpy(), rb.asnumpy())


def test_one_optimizer_shared_by_threads_counts_every_step():
    """Steps from several threads on ONE optimizer are applied one at a time: each is a whole
    step (global_step counts all of them; SGD's sum of updates is exact for equal gradients)."""
    w = Parameter(Tensor(np.zeros(3, F32)), name="w")
    opt = nn.SGD([w], 0.125)
    g = (Tensor(np.ones(3, F32)),)
    _run_threads(lambda k: [opt(g) for _ in range(50)])
    assert int(opt.global_step.asnumpy()[0]) == N_THREADS * 50
    np.testing.assert_array_equal(w.asnumpy(), np.full(3, -0.125 * N_THREADS * 50, F32))


def test_a_failed_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    from taylorad._facade import serialization

    path = str(tmp_path / "net.ckpt")
    ms.save_checkpoint({"a": Tensor(np.ones(3, F32))}, path)

    def broken_savez(f, **arrays):
        f.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(serialization.np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        ms.save_checkpoint({"a": Tensor(np.zeros(3, F32))}, path)
    monkeypatch.undo()
    np.testing.assert_array_equal(ms.load_checkpoint(path)["a"].asnumpy(), np.ones(3, F32))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.ckpt"]  # no temporary left


def test_threads_saving_one_checkpoint_leave_a_whole_one(tmp_path):
    path = str(tmp_path / "net.ckpt")
    values = [np.full(20000, k, F32) for k in range(N_THREADS)]
    _run_threads(lambda k: [ms.save_checkpoint({"a": Tensor(values[k])}, path)
                            for _ in range(5)])
    got = ms.load_checkpoint(path)["a"].asnumpy()
    assert any(np.array_equal(got, v) for v in values)


def test_load_param_into_net_with_a_bad_shape_changes_nothing():
    net = nn.Dense(2, 1, weight_init="ones", bias_init="zeros")
    with pytest.raises(RuntimeError, match="no Parameter was changed"):
        ms.load_param_into_net(net, {"weight": Tensor(np.full((1, 2), 5.0, F32)),
                                     "bias": Tensor(np.ones(3, F32))})
    np.testing.assert_array_equal(net.weight.asnumpy(), np.ones((1, 2), F32))
    np.testing.assert_array_equal(net.bias.asnumpy(), np.zeros(1, F32))


def test_threads_differentiating_one_shared_network_get_its_gradients():
    """Several threads take gradients of ONE network (its weights unchanged) at the same time:
    each must get the gradient computed alone. A Parameter used to be overwritten by the traced
    value of whichever thread traced last, so another thread could read it and get a zero or
    foreign gradient."""
    net = _net(0)
    weights = net.trainable_params()
    loss_fn = nn.MSELoss()
    xs_ys = [_data(k) for k in range(N_THREADS)]

    def grads(k):
        x, y = xs_ys[k]
        step = ms.value_and_grad(lambda x, y: loss_fn(net(x), y), None, weights)
        out = []
        for _ in range(10):
            value, gs = step(x, y)
            out.append((float(value.asnumpy()), [g.asnumpy() for g in gs]))
        return out

    want = [grads(k) for k in range(N_THREADS)]
    got = _run_threads(grads)
    for k in range(N_THREADS):
        for (v1, g1), (v2, g2) in zip(got[k], want[k]):
            assert v1 == v2
            for a, b in zip(g1, g2):
                np.testing.assert_array_equal(a, b)


def test_inference_in_one_thread_while_another_differentiates_the_same_network():
    net = _net(1)
    x, y = _data(1)
    plain = net(x).asnumpy()
    step = ms.value_and_grad(lambda x, y: nn.MSELoss()(net(x), y), None, net.trainable_params())

    def work(k):
        if k % 2:
            return [step(x, y)[0].asnumpy() for _ in range(10)]
        outs = [net(x) for _ in range(30)]
        return [type(o._data).__module__ for o in outs], [o.asnumpy() for o in outs]

    got = _run_threads(work)
    for k in range(0, N_THREADS, 2):
        modules, values = got[k]
        assert set(modules) == {"numpy"}  # plain arrays: never another thread's traced values
        for v in values:
            np.testing.assert_array_equal(v, plain)
