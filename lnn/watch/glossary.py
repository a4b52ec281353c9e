"""What the page's terms mean, in a sentence or two a learner of the course can use: shown on
hover wherever the page names them (elements with a ``data-term`` attribute, the statistic
selector's options, the unit plots' titles). One table, keyed by the names the telemetry and
the document use, shipped inline with the page (lnn.watch.page); docs/telemetry.md says the
same at length."""

from functions.telemetry import figures
from functions.telemetry.flags import SATURATED_FRACTION, UPDATE_RATIO_HIGH, UPDATE_RATIO_LOW
from functions.telemetry.saturation import SIGMOID_HIGH, SIGMOID_LOW, TANH_LIMIT
from functions.training.schedule import AUTO_TELEMETRY_STEPS
from lnn.watch.numbers import readable

__all__ = ["TERMS"]

TERMS: dict[str, str] = {
    "calls_per_hop": (
        "AWS calls per shard hop: the API calls the network made (SQS receives and deletes, "
        "SNS publishes, DynamoDB claims, S3 reads and writes) divided by the shard tasks it "
        "ran, one task being one neuron function's share of a layer's forward or backward "
        "pass. What a step costs in calls, and so on AWS, depends on it. Message-passing "
        "engines only."
    ),
    "telemetry_steps": (
        "Optimizer steps whose per-unit statistics were recorded (--telemetry-every; by "
        f"default every step of a run of at most {AUTO_TELEMETRY_STEPS} steps, about "
        f"{AUTO_TELEMETRY_STEPS // 2}-{AUTO_TELEMETRY_STEPS} spread over a longer one). The "
        "network, unit, layer and histogram views are drawn from them."
    ),
    "activation": (
        "Activation mean: the unit's output A = g(Z), averaged over the samples (before "
        "dropout). A unit whose mean stays put while others move may have stopped learning."
    ),
    "saturation": (
        "Saturated fraction: the share of samples on which the unit sits where its activation "
        f"is flat (relu at 0, tanh beyond ±{TANH_LIMIT:g}, sigmoid below {SIGMOID_LOW:g} or "
        f"above {SIGMOID_HIGH:g}), so almost no gradient passes back through it."
    ),
    "gradient": (
        "Gradient norm: the length (L2 norm) of dW's row for this unit, how hard "
        "backpropagation pushes its incoming weights on this step."
    ),
    figures.UPDATE_RATIO: (
        "Update / weight: the length of the step's change to the weights over the length of "
        "the weights. About 1e-3 is healthy; below "
        f"{readable(UPDATE_RATIO_LOW)} the weights hardly move, above "
        f"{readable(UPDATE_RATIO_HIGH)} they are rewritten each step (learning rate too large)."
    ),
    figures.GRAD_RMS: (
        "Gradient RMS: the root mean square of the layer's dW entries, comparable across "
        "layers of any size. A layer far below the one after it (nearer the output) has "
        "vanishing gradients; far above, exploding ones."
    ),
    figures.SATURATED: (
        "Saturated: a hidden tanh or sigmoid unit flat on most samples (over "
        f"{SATURATED_FRACTION:.0%}) of the epoch: its gradient nearly vanishes, so it learns "
        "slowly."
    ),
    figures.DEAD: (
        "Dead: a unit saturated on every sample of the epoch (a relu that outputs 0 for all "
        "of them, a tanh or sigmoid at its limits). It passes no gradient back, so its "
        "weights stop changing, and it may never recover."
    ),
    "gamma": (
        "Gamma: the scale batch norm gives the unit, Z_tilde = gamma Z_norm + beta. Z_norm has "
        "mean 0 and variance 1 over the batch, so gamma is the spread of the activation's "
        "input, learned like a weight (not L2-regularized)."
    ),
    "beta": (
        "Beta: the shift batch norm gives the unit, the mean of Z_tilde over every batch. It "
        "does the bias's work (the layer has no b) and decides how much of a relu unit's "
        "input lies above 0."
    ),
    "batch_mean": (
        "Batch mean of Z: the mean over the batch of the unit's Z = W A_prev, which batch norm "
        "subtracts. It drifts as the layers below learn; Z_tilde does not follow it."
    ),
    "batch_var": (
        "Batch variance of Z: the (biased) variance over the batch of the unit's Z, which "
        "batch norm divides out (plus epsilon). Z_tilde's spread is gamma whatever it is."
    ),
}
