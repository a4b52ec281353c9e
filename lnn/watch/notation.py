"""What one shard task computed, in the deeplearning.ai course's notation, from its span and
the run's plan: layer l's Z[l] = W[l] A[l-1] + b[l], A[l] = g(Z[l]), the cost J, dZ[l], dW[l],
db[l] and the update, for the units the shard owns and the samples of its batch; a
batch-normalized layer's Z_norm, Z̃[l], γ[l] and β[l] (functions/nn/batchnorm.py) in its place.

The watch page shows these lines when a bar of the message timeline is clicked;
docs/reading.md ("What each task computes") writes the same formulas beside the code that
computes them. The arithmetic itself is functions/training/step.py's, and the formulas here
follow it: the loss from functions/nn/losses.py (loss_for_output), inverted dropout
(functions/nn/regularization.py), the optimizers of functions/nn/optimizers.py.
"""

# ruff: noqa: RUF001, RUF002 (the course's notation writes its Greek letters)

from functions.nn.losses import (
    FUSED_PAIRS,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    MeanSquaredError,
    loss_for_output,
)
from functions.protocol import RunPlan
from functions.telemetry.spans import Span
from functions.training.config import learning_rate
from lnn.watch.norm_notation import norm_lines, running_lines

# The cost of each loss the output activation implies, for A = A[L] and m samples.
COSTS = {
    BinaryCrossEntropy.name: "J = -(1/m) Σ (Y log A[{L}] + (1-Y) log(1-A[{L}]))",
    CategoricalCrossEntropy.name: "J = -(1/m) Σ Σ_k Y_k log A[{L}]_k",
    MeanSquaredError.name: "J = (1/2m) Σ (A[{L}] - Y)²",
}
EVAL_NOTE = "evaluation: computes with the current W[{layer}], b[{layer}] and updates nothing"
EVAL_NORM_NOTE = (
    "evaluation: computes with the current W[{layer}], γ[{layer}], β[{layer}] and running "
    "averages, and updates nothing"
)
EVAL_LOSS_NOTE = "evaluation: the cost and accuracies of the current parameters; updates nothing"


def units_text(plan: RunPlan, layer: int, shard: int) -> str:
    """The rows of layer ``layer`` that shard ``shard`` owns: "units 0-9 of 20"."""
    start, stop = plan.ranges(layer)[shard]
    units = plan.specs[layer - 1].units
    if stop - start == units:
        return f"all {units} units" if units > 1 else "the layer's 1 unit"
    if stop - start == 1:
        return f"unit {start} of {units}"
    return f"units {start}-{stop - 1} of {units}"


def samples(plan: RunPlan, span: Span) -> int:
    """The columns the task computed on: its batch in training, the samples of its pass in
    an evaluation (train, dev and test side by side: functions/training/layout.py)."""
    if span.phase == "eval":
        return plan.layout.eval_passes[span.batch].columns
    return plan.batch_size_of(span.epoch, span.batch)


def samples_text(plan: RunPlan, span: Span) -> str:
    m = samples(plan, span)
    if span.phase != "eval":
        return f"{m} samples"
    segments = plan.layout.eval_passes[span.batch].segments
    present = [f"{segment.columns} {segment.split}" for segment in segments]
    return f"{m} samples ({' + '.join(present)})"


def step_of(plan: RunPlan, span: Span) -> int:
    """The optimizer step (1-based) a training task belongs to: Adam's t."""
    return span.epoch * plan.batches_per_epoch + span.batch + 1


def _dropout(plan: RunPlan, span: Span, layer: int) -> bool:
    """Dropout applies to the hidden layers of a training step (fanin.dropout_mask)."""
    return span.phase == "train" and layer < plan.depth and plan.config.dropout < 1.0


def _symbols(layer: int) -> tuple[str, str, str, str, str]:
    """Layer l's Z[l], A[l], W[l], b[l] and the layer before's A[l-1]."""
    z, a, w, b = (f"{name}[{layer}]" for name in ("Z", "A", "W", "b"))
    return z, a, w, b, f"A[{layer - 1}]"


def _normalized(plan: RunPlan, layer: int) -> bool:
    return plan.specs[layer - 1].norm is not None


def forward_lines(plan: RunPlan, span: Span, layer: int) -> list[str]:
    """Z[l] of the shard's units and, for a hidden layer, A[l] (the output's A is the loss's)."""
    z, a, w, b, a_prev = _symbols(layer)
    where = units_text(plan, layer, span.shard if span.function == "neuron" else 0)
    normalized = _normalized(plan, layer)
    product = f"{z} = {w} {a_prev}" + ("" if normalized else f" + {b}")
    first = f"{product} for {where}, {samples_text(plan, span)}"
    lines = [first + (", A[0] = X" if layer == 1 else "")]
    if normalized:
        lines += norm_lines(plan, span, layer)
        z = f"Z̃[{layer}]"
    if layer < plan.depth:
        lines.append(f"{a} = {plan.specs[layer - 1].activation}({z})")
        if _dropout(plan, span, layer):
            lines.append(
                f"{a} = {a} * D[{layer}] / keep_prob (dropout: D[{layer}] keeps each unit "
                f"with probability keep_prob = {plan.config.dropout:g})"
            )
    return lines


def loss_lines(plan: RunPlan, span: Span) -> list[str]:
    """The loss stage: A[L], the cost J and, in training, dZ[L]; an evaluation's accuracies."""
    z, a, *_ = _symbols(plan.depth)
    activation = plan.specs[-1].activation
    loss = loss_for_output(activation).name
    lines = [f"{a} = {activation}({z}), {samples_text(plan, span)}"]
    cost = COSTS[loss].format(L=plan.depth)
    if plan.config.l2:
        cost += f" + (λ/2m) Σ_l ‖W[l]‖², λ = {plan.config.l2:g}"
    m_cost = plan.m_train if span.phase == "eval" else samples(plan, span)
    lines.append(f"{cost}, m = {m_cost} ({loss.replace('_', ' ')})")
    if span.phase == "eval":
        if activation != "linear":
            segments = plan.layout.eval_passes[span.batch].segments
            present = [segment.split for segment in segments]
            lines.append(f"accuracy on {' and '.join(present)}: the share predicted right")
        return lines
    if (activation, loss) in FUSED_PAIRS or activation == "linear":
        lines.append(f"d{z} = {a} - Y")
    else:
        lines.append(f"d{z} = ({a} - Y) * {activation}'({z})")
    return lines


def update_lines(plan: RunPlan, span: Span, layer: int) -> list[str]:
    """The optimizer's step on the shard's W[l] (b[l], or batch norm's gamma and beta,
    likewise)."""
    config, (_, _, w, b, _) = plan.config, _symbols(layer)
    normalized = _normalized(plan, layer)

    def likewise(moments: str) -> str:
        if normalized:
            return f"γ[{layer}], β[{layer}] likewise, each with moments of its own"
        return f"{b} likewise, with {moments.replace('W', 'b')}"

    alpha = f"α = {learning_rate(config, span.epoch):g}"
    if config.optimizer == "momentum":
        return [
            f"v_dW = β1 v_dW + (1-β1) d{w}, β1 = {config.beta1:g}",
            f"{w} := {w} - α v_dW, {alpha} ({likewise('v_dW')})",
        ]
    if config.optimizer == "rmsprop":
        return [
            f"s_dW = β2 s_dW + (1-β2) d{w}², β2 = {config.beta2:g}",
            f"{w} := {w} - α d{w} / (√s_dW + ε), {alpha} ({likewise('s_dW')})",
        ]
    if config.optimizer == "adam":
        return [
            f"v_dW = β1 v_dW + (1-β1) d{w}; s_dW = β2 s_dW + (1-β2) d{w}², "
            f"β1 = {config.beta1:g}, β2 = {config.beta2:g}",
            f"{w} := {w} - α v̂ / (√ŝ + ε), v̂ = v_dW / (1-β1^t), ŝ = s_dW / (1-β2^t), "
            f"t = {step_of(plan, span)}, {alpha} ({likewise('v_dW, s_dW')})",
        ]
    if normalized:
        return [f"{w} := {w} - α d{w} (γ[{layer}], β[{layer}] likewise), {alpha}"]
    return [f"{w} := {w} - α d{w}; {b} := {b} - α d{b}, {alpha}"]


def backward_lines(plan: RunPlan, span: Span, layer: int) -> list[str]:
    """dZ[l] of the shard's units, its dW[l] and db[l], its share of dA[l-1], the update."""
    z, a, w, b, a_prev = _symbols(layer)
    where, m = units_text(plan, layer, span.shard), samples(plan, span)
    lines = []
    normalized = _normalized(plan, layer)
    if layer < plan.depth:
        if _dropout(plan, span, layer):
            lines.append(f"d{a} = d{a} * D[{layer}] / keep_prob (the forward pass's mask)")
        activation = plan.specs[layer - 1].activation
        z_in = f"Z̃[{layer}]" if normalized else z
        lines.append(f"d{z_in} = d{a} * {activation}'({z_in}) for {where}, {m} samples")
    elif not plan.loss_in_output_shard:  # folded, the lines before computed dZ[L]
        lines.append(f"d{z} of {where} from the loss stage, {m} samples")
    if normalized:
        z_tilde = f"Z̃[{layer}]"
        lines += [
            f"dγ[{layer}] = (1/m) Σ d{z_tilde} Z_norm; dβ[{layer}] = (1/m) Σ d{z_tilde}",
            f"d{z} = γ[{layer}] / √(σ² + ε) (d{z_tilde} - mean(d{z_tilde}) - Z_norm "
            f"mean(d{z_tilde} Z_norm)), the means over the m samples",
        ]
    d_w = f"d{w} = (1/m) d{z} {a_prev}ᵀ"
    if plan.config.l2:
        d_w += f" + (λ/m) {w}, λ = {plan.config.l2:g}"
    lines.append(d_w)
    if not normalized:
        lines.append(f"d{b} = (1/m) Σ d{z} (over the m samples)")
    if layer > 1:
        shards = len(plan.ranges(layer))
        share = f"d{a_prev} = {w}ᵀ d{z}"
        if shards > 1:
            share = f"d{a_prev} share = {w}ᵀ d{z} (the barrier adds the {shards} shards')"
        lines.append(f"{share}, with {w} before the update")
    running = running_lines(plan, layer) if normalized else []
    return lines + update_lines(plan, span, layer) + running


def task_lines(plan: RunPlan, span: Span) -> list[str]:
    """What the task of ``span`` computed, line by line; [] for a span of no network task."""
    big_l, folded = plan.depth, plan.loss_in_output_shard
    if span.function == "loss":
        lines = loss_lines(plan, span)
        if span.phase == "train":
            lines.append(f"dZ[{big_l}] goes to layer {big_l}'s backward tasks")
        else:
            lines.append(EVAL_LOSS_NOTE)
        return lines
    if span.function != "neuron":
        return []
    inside = f"the loss runs inside the output shard (one shard owns layer {big_l}): " + (
        "Z, A, the cost and the accuracies in this one task"
        if span.phase == "eval"
        else "Z, A, the cost, dZ and the layer's backward pass in this one task"
    )
    if span.direction == "fwd":
        lines = forward_lines(plan, span, span.layer)
        if span.layer == big_l and folded:  # an evaluation's output shard: the metrics too
            return [inside, *lines, *loss_lines(plan, span), EVAL_LOSS_NOTE]
        if span.layer == big_l:
            lines.append(f"A[{big_l}] and the cost: in the loss stage, which needs every unit")
        if span.phase == "eval":
            dropout = plan.config.dropout < 1.0 and span.layer < big_l
            note = EVAL_NORM_NOTE if _normalized(plan, span.layer) else EVAL_NOTE
            lines.append(note.format(layer=span.layer) + (", without dropout" if dropout else ""))
        return lines
    if span.layer == big_l and folded:  # the training output shard: forward and loss first
        forward = [*forward_lines(plan, span, big_l), *loss_lines(plan, span)]
        return [inside, *forward, *backward_lines(plan, span, big_l)]
    return backward_lines(plan, span, span.layer)


def is_loss_stage(plan: RunPlan, span: Span) -> bool:
    """Whether the task computed the cost J: the loss stage's own, or the output shard's that
    holds it (RunPlan.loss_in_output_shard: its backward task in training, its forward task
    in an evaluation)."""
    if span.function == "loss":
        return True
    if span.function != "neuron" or span.layer != plan.depth or not plan.loss_in_output_shard:
        return False
    return span.direction == ("fwd" if span.phase == "eval" else "bwd")
