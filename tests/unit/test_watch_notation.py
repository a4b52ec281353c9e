"""What each task of the message timeline computed, in the course's notation: one test per
kind of task, and docs/reading.md holding the very lines the page writes."""

# ruff: noqa: RUF001 (the course's notation writes its Greek letters)

import re
from pathlib import Path
from typing import Any

import pytest

from functions.nn.optimizers import OPTIMIZER_NAMES
from functions.protocol import RunPlan
from functions.telemetry.spans import Span
from lnn.watch.notation import is_loss_stage, samples, task_lines, units_text
from messages.train_request import TrainConfig

READING = Path(__file__).parents[2] / "docs" / "reading.md"
CAT_LAYERS = [(20, "relu"), (7, "relu"), (5, "relu"), (1, "sigmoid")]
LOSS_WORDS = {"sigmoid": "binary cross entropy", "softmax": "categorical cross entropy"}


def _plan(
    layers: list[tuple[int, str]] = CAT_LAYERS,
    sizes: tuple[int, int, int] = (209, 0, 50),
    n_features: int = 12288,
    **options: Any,
) -> RunPlan:
    config = TrainConfig(
        dataset="cat",
        layers=[{"units": u, "activation": a} for u, a in layers],
        shards=options.pop("shards", 2),
        epochs=options.pop("epochs", 150),
        lr=options.pop("lr", 0.0075),
        **options,
    )
    return RunPlan("run-1", config, n_features, sizes)


def _span(direction: str, layer: int, shard: int = 0, *, phase: str = "train", **at: int) -> Span:
    function = "loss" if direction == "loss" else "neuron"
    epoch, batch = at.get("epoch", 0), at.get("batch", 0)
    return Span(function, phase, direction, epoch, batch, layer, shard, 0.0, 1.0, 1, "claimed")


def test_a_hidden_forward_task_computes_its_units_of_z_and_a() -> None:
    plan = _plan()
    assert task_lines(plan, _span("fwd", 1, 0)) == [
        "Z[1] = W[1] A[0] + b[1] for units 0-9 of 20, 209 samples, A[0] = X",
        "A[1] = relu(Z[1])",
    ]
    second = task_lines(plan, _span("fwd", 2, 1))
    assert second[0] == "Z[2] = W[2] A[1] + b[2] for units 4-6 of 7, 209 samples"
    assert units_text(plan, 2, 0) == "units 0-3 of 7"  # shard_ranges: the first shard one more


def test_the_units_and_samples_follow_the_shards_and_the_batch() -> None:
    plan = _plan(sizes=(100, 20, 0), batch_size=32, shards=3)
    assert [units_text(plan, 1, k) for k in range(3)] == [
        "units 0-6 of 20",
        "units 7-13 of 20",
        "units 14-19 of 20",
    ]
    assert units_text(plan, 4, 0) == "the layer's 1 unit"
    # 100 columns in batches of 32: the last batch holds 4
    assert [samples(plan, _span("fwd", 1, batch=b)) for b in range(4)] == [32, 32, 32, 4]
    assert task_lines(plan, _span("fwd", 1, 0, batch=3))[0].endswith("4 samples, A[0] = X")
    evaluation = task_lines(plan, _span("fwd", 1, 0, phase="eval"))
    assert "120 samples (100 train + 20 dev)" in evaluation[0]


def test_an_output_forward_task_leaves_a_and_the_cost_to_the_loss_stage() -> None:
    plan = _plan(layers=[(32, "relu"), (10, "softmax")], sizes=(1437, 0, 360), n_features=64)
    assert task_lines(plan, _span("fwd", 2, 1)) == [
        "Z[2] = W[2] A[1] + b[2] for units 5-9 of 10, 1437 samples",
        "A[2] and the cost: in the loss stage, which needs every unit",
    ]
    assert not is_loss_stage(plan, _span("fwd", 2, 1))


@pytest.mark.parametrize(
    ("activation", "units", "cost", "dz"),
    [
        ("sigmoid", 1, "J = -(1/m) Σ (Y log A[2] + (1-Y) log(1-A[2]))", "dZ[2] = A[2] - Y"),
        ("softmax", 3, "J = -(1/m) Σ Σ_k Y_k log A[2]_k", "dZ[2] = A[2] - Y"),
        ("linear", 2, "J = (1/2m) Σ (A[2] - Y)²", "dZ[2] = A[2] - Y"),
        ("relu", 2, "J = (1/2m) Σ (A[2] - Y)²", "dZ[2] = (A[2] - Y) * relu'(Z[2])"),
    ],
)
def test_the_loss_stage_writes_the_loss_the_output_activation_implies(
    activation: str, units: int, cost: str, dz: str
) -> None:
    layers = [(4, "tanh"), (units, activation)]
    plan = _plan(layers=layers, sizes=(50, 0, 0), n_features=2)
    task = _span("loss", 0) if units > 1 else _span("bwd", 2)  # one unit: inside its shard
    lines = task_lines(plan, task)
    assert f"A[2] = {activation}(Z[2]), 50 samples" in lines
    loss = LOSS_WORDS.get(activation, "mean squared error")
    assert [line for line in lines if line.startswith("J = ")] == [f"{cost}, m = 50 ({loss})"]
    assert dz in lines and is_loss_stage(plan, task)
    with_l2 = task_lines(_plan(layers=layers, sizes=(50, 0, 0), n_features=2, l2=0.7), task)
    assert f"{cost} + (λ/2m) Σ_l ‖W[l]‖², λ = 0.7, m = 50 ({loss})" in with_l2


def test_a_hidden_backward_task_computes_dz_dw_db_its_share_and_the_update() -> None:
    plan = _plan()
    assert task_lines(plan, _span("bwd", 2, 1)) == [
        "dZ[2] = dA[2] * relu'(Z[2]) for units 4-6 of 7, 209 samples",
        "dW[2] = (1/m) dZ[2] A[1]ᵀ",
        "db[2] = (1/m) Σ dZ[2] (over the m samples)",
        "dA[1] share = W[2]ᵀ dZ[2] (the barrier adds the 2 shards'), with W[2] before the update",
        "W[2] := W[2] - α dW[2]; b[2] := b[2] - α db[2], α = 0.0075",
    ]
    first = task_lines(plan, _span("bwd", 1, 0))
    assert not any(line.startswith("dA[0]") for line in first)  # layer 1 sends nothing back


def test_l2_and_dropout_show_in_the_backward_task_where_they_act() -> None:
    plan = _plan(l2=0.1, dropout=0.8)
    lines = task_lines(plan, _span("bwd", 2, 0))
    assert lines[0] == "dA[2] = dA[2] * D[2] / keep_prob (the forward pass's mask)"
    assert "dW[2] = (1/m) dZ[2] A[1]ᵀ + (λ/m) W[2], λ = 0.1" in lines
    forward = task_lines(plan, _span("fwd", 2, 0))
    assert forward[-1].startswith("A[2] = A[2] * D[2] / keep_prob (dropout:")
    assert "keep_prob = 0.8" in forward[-1]
    # the output layer has no dropout: its backward task masks nothing
    assert not any("D[4]" in line for line in task_lines(plan, _span("bwd", 4, 0)))


def test_an_evaluation_task_computes_without_updating_and_without_dropout() -> None:
    plan = _plan(dropout=0.8)
    lines = task_lines(plan, _span("fwd", 1, 1, phase="eval"))
    assert lines[0].startswith("Z[1] = W[1] A[0] + b[1] for units 10-19 of 20, 259 samples")
    assert lines[-1] == (
        "evaluation: computes with the current W[1], b[1] and updates nothing, without dropout"
    )
    assert not any(":=" in line or "D[1]" in line for line in lines)
    output = task_lines(plan, _span("fwd", 4, 0, phase="eval"))  # the metrics, in the shard
    assert "accuracy on train and test: the share predicted right" in output
    assert output[-1].startswith("evaluation:") and is_loss_stage(
        plan, _span("fwd", 4, phase="eval")
    )
    assert not any(":=" in line or line.startswith("dZ") for line in output)


def test_the_loss_inside_the_output_shard_is_said_and_marked() -> None:
    plan = _plan()
    assert plan.loss_in_output_shard
    lines = task_lines(plan, _span("bwd", 4, 0))
    assert lines[0].startswith("the loss runs inside the output shard (one shard owns layer 4)")
    order = [lines.index(x) for x in ("A[4] = sigmoid(Z[4]), 209 samples", "dZ[4] = A[4] - Y")]
    assert order == sorted(order) and "W[4] := W[4] - α dW[4]" in lines[-1]
    assert is_loss_stage(plan, _span("bwd", 4, 0))
    assert not is_loss_stage(plan, _span("bwd", 3, 0)) and not is_loss_stage(
        plan, _span("fwd", 1, 0)
    )


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_every_optimizer_writes_its_update_of_w(optimizer: str) -> None:
    plan = _plan(optimizer=optimizer, batch_size=100)  # 3 batches an epoch
    lines = task_lines(plan, _span("bwd", 3, 0, epoch=1, batch=2))
    assert any(line.startswith("W[3] := W[3] - α") for line in lines)
    if optimizer == "adam":  # epoch 1 (0-based), batch 2: the 6th step
        assert any("t = 6" in line and "v̂" in line for line in lines)
        assert any(line.startswith("v_dW = β1 v_dW + (1-β1) dW[3]; s_dW") for line in lines)


def _documented_lines() -> list[str]:
    """The indented lines of the text blocks of reading.md's "What each task computes"."""
    section = READING.read_text().split("## 5. What each task computes", 1)[1].split("\n## ")[0]
    blocks = re.findall(r"```text\n(.*?)```", section, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line[:4] == "    "]


def test_reading_md_holds_the_lines_the_page_writes() -> None:
    cat = _plan()
    digits = _plan(
        layers=[(32, "relu"), (10, "softmax")],
        sizes=(1437, 0, 360),
        n_features=64,
        epochs=50,
        lr=0.01,
        l2=0.1,
        dropout=0.8,
        optimizer="adam",
        batch_size=64,
    )
    normalized = RunPlan(
        "run-1",
        TrainConfig(
            dataset="digits",
            layers=[
                {"units": 32, "activation": "relu", "batch_norm": True},
                {"units": 10, "activation": "softmax"},
            ],
            shards=2,
            epochs=50,
            lr=0.01,
            optimizer="adam",
            batch_size=64,
        ),
        64,
        (1437, 0, 360),
    )
    tasks = [
        (cat, _span("fwd", 1, 0)),
        (cat, _span("bwd", 2, 1)),
        (cat, _span("fwd", 1, 1, phase="eval")),
        (cat, _span("bwd", 4, 0)),
        (digits, _span("fwd", 2, 1)),
        (digits, _span("loss", 0)),
        (digits, _span("bwd", 1, 0)),
        (normalized, _span("fwd", 1, 0)),
        (normalized, _span("bwd", 1, 0)),
        (normalized, _span("fwd", 1, 1, phase="eval")),
    ]
    written = [line for plan, span in tasks for line in task_lines(plan, span)]
    assert _documented_lines() == written
