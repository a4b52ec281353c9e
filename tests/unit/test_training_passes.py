"""The whole-network passes composed of shard steps: independent of the shard count, and the
very gradients the engines apply."""

import numpy as np
import pytest

from functions.nn import NNError
from functions.nn.layers import LayerSpec
from functions.nn.optimizers import make_optimizer
from functions.training.config import initial_params
from functions.training.gradcheck import seeded_case
from functions.training.passes import ShardedLayers
from functions.training.split import DataSplit
from functions.training.step import shard_gradients, shard_mask, update_shard
from lnn.engines.reference import train_reference
from messages.train_request import TrainConfig

SPECS = [LayerSpec(6, "relu"), LayerSpec(4, "tanh"), LayerSpec(3, "softmax")]


@pytest.mark.parametrize("shards", [2, 3, 6])
def test_the_shard_count_does_not_change_the_arithmetic(shards: int) -> None:
    case = seeded_case(SPECS, features=5, samples=8, keep_prob=0.8, seed=2)
    whole = ShardedLayers(SPECS, 1, 0.5, case.masks)
    cut = ShardedLayers(SPECS, shards, 0.5, case.masks)
    assert [len(cut.ranges(i)) for i in range(3)] == [min(shards, s.units) for s in SPECS]
    forward_1, forward_k = whole.forward(case.params, case.x), cut.forward(case.params, case.x)
    for a, b in zip(forward_1.zs, forward_k.zs, strict=True):
        # BLAS may block a few rows differently from the whole matrix: last-bit differences.
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    assert forward_k.weight_sq_sum == pytest.approx(forward_1.weight_sq_sum, rel=1e-15)
    expected = whole.gradients(case.params, case.x, case.y)
    got = cut.gradients(case.params, case.x, case.y)
    for layer, layer_1 in zip(got, expected, strict=True):
        assert sorted(layer) == sorted(layer_1) == ["W", "b"]
        for name in layer:
            # The backward barrier's sum of dA_prev shares also reassociates additions.
            np.testing.assert_allclose(layer[name], layer_1[name], rtol=0, atol=1e-14)


def test_update_shard_applies_the_checked_gradients() -> None:
    case = seeded_case(SPECS, features=5, samples=8, keep_prob=1.0, seed=4)
    layers = ShardedLayers(SPECS, 1)
    forward = layers.forward(case.params, case.x)
    dz = layers.loss(forward, case.y).dz
    checked = layers.backward(case.params, forward, dz)[-1]
    params = case.params[-1]
    grads = shard_gradients(
        params,
        a_prev=forward.inputs[-1],
        z=None,
        grad=dz,
        grad_kind="dz",
        spec=SPECS[-1],
        mask=None,
        l2=0.0,
        need_da_prev=True,
    )
    update = update_shard(
        params, {}, grads, spec=SPECS[-1], optimizer=make_optimizer("gd"), lr=1.0, step=1
    )
    np.testing.assert_array_equal(update.w, params["W"] - checked["W"])
    np.testing.assert_array_equal(update.params["b"], params["b"] - checked["b"])


def test_one_reference_engine_step_is_params_minus_the_checked_gradients() -> None:
    """The reference engine (one shard per layer) trains with exactly these gradients."""
    layers = [{"units": s.units, "activation": s.activation} for s in SPECS]
    config = TrainConfig(dataset="t", layers=layers, epochs=1, lr=1.0, l2=0.3, dropout=0.8, seed=9)
    case = seeded_case(SPECS, features=5, samples=8, keep_prob=1.0, seed=9)
    result = train_reference(config, DataSplit(case.x, case.y))
    params = initial_params(config, 5)
    masks = [
        shard_mask(
            keep_prob=0.8, seed=9, epoch=0, batch=0, layer=i, units=s.units, m=8, rows=(0, s.units)
        )
        for i, s in enumerate(SPECS[:-1], start=1)
    ]
    grads = ShardedLayers(SPECS, 1, 0.3, [*masks, None]).gradients(params, case.x, case.y)
    for before, grad, after in zip(params, grads, result.params, strict=True):
        for name in ("W", "b"):
            np.testing.assert_array_equal(after[name], before[name] - grad[name])


def test_bad_masks_and_params_are_rejected() -> None:
    case = seeded_case(SPECS, features=5, samples=8, keep_prob=0.8, seed=2)
    with pytest.raises(NNError, match="output layer"):
        ShardedLayers(SPECS, 2, masks=[*case.masks[:-1], np.ones((3, 8))])
    with pytest.raises(NNError, match="masks"):
        ShardedLayers(SPECS, 2, masks=case.masks[:-1])
    with pytest.raises(NNError, match="layers"):
        ShardedLayers(SPECS, 2).forward(case.params[:2], case.x)
