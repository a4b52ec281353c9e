"""The distributed training protocol: what the trainer, neuron and loss Lambdas do with a
message, written against the ports in functions.ports so the handlers stay thin.

One module per question a reader asks, in the order a task meets them:

- ``forward``: what a forward task does (compute a shard of A, claim, publish);
- ``output``: the output layer and the loss (one shard runs both; the evaluation's metrics);
- ``backward``: the backward pass (gradients, the next parameter version, dA downstream);
- ``start``: a run's start (the trainer's answer to a TrainRequest);
- ``trainer``: the run's other transitions (each step, each evaluation, finish, cancel);
- ``fanin``: fan-in and shard state (barrier arrivals, a shard's parameters, the Z cache);
- ``versions``: where a parameter version lives (its barrier arrival or S3), written and read;
- ``arrays``: where arrays live (inline or S3, references checked, uploads, process memory);
- ``keys``: the S3 and barrier key layout, defined once;
- ``plan``: a run's plan (its shards, batches and data) read back by every task;
- ``uploads`` and ``batches``: the run's stored batches of data, written once and read by
  the steps;
- ``failures``: what a failed delivery and a dead letter do to a run;
- ``delivery``: one delivery (its message id and receive count) and the services it uses;
- ``telemetry``: telemetry and spans riding on writes the task makes anyway;
- ``exceptions``: the protocol's own errors.

docs/reading.md walks one task through them. A handler imports the module of its task
(``forward``, ``backward``, ``output``, ``start``, ``trainer``); the names below are what
adapters and the user side use; everything else is the protocol's own.
"""

from functions.protocol.arrays import ArrayStore, LruCache, nbytes, pack_training_data
from functions.protocol.batches import read_split
from functions.protocol.delivery import Services, StackSettings, reset_services, services
from functions.protocol.failures import Door, Work, dead_lettered, guarded
from functions.protocol.keys import plan_key
from functions.protocol.plan import RunPlan, find_plan, loss_in_output_shard
from functions.protocol.telemetry import (
    KEYS_PER_READ,
    Stage,
    pass_stages,
    read_spans,
    read_telemetry,
    run_passes,
    stage_spans,
)
from functions.protocol.trainer import cancel_run
from functions.protocol.uploads import upload_batches
from functions.protocol.versions import read_layer, read_layers, read_params

__all__ = [
    "KEYS_PER_READ",
    "ArrayStore",
    "Door",
    "LruCache",
    "RunPlan",
    "Services",
    "StackSettings",
    "Stage",
    "Work",
    "cancel_run",
    "dead_lettered",
    "find_plan",
    "guarded",
    "loss_in_output_shard",
    "nbytes",
    "pack_training_data",
    "pass_stages",
    "plan_key",
    "read_layer",
    "read_layers",
    "read_params",
    "read_spans",
    "read_split",
    "read_telemetry",
    "reset_services",
    "run_passes",
    "services",
    "stage_spans",
    "upload_batches",
]
