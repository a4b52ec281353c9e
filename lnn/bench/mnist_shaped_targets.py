"""Issue 21's targets for the MNIST-shaped run, each beside its measured figure. They are
reported, never asserted: a benchmark on a shared machine measures, it does not gate."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Measured:
    """Medians over the case's rounds."""

    start_s: float  # the embedded run's upload and trainer's start, to the first step
    embedded_run_s: float  # the embedded run from its submission to its end
    embedded_wall_s: float  # the whole `lnn train` child, as the reference's
    reference_wall_s: float
    embedded_peak_gb: float
    reference_peak_gb: float
    timeouts_exceeded: int  # over every round's embedded run


@dataclass(frozen=True)
class Target:
    name: str
    limit: float
    unit: str

    def row(self, value: float) -> dict[str, object]:
        return {
            "target": self.name,
            "measured": value,
            "limit": self.limit,
            "unit": self.unit,
            "met": value <= self.limit,
        }


START = Target("start / embedded epoch (the run from its submission)", 0.10, "ratio")
MEMORY = Target("embedded peak memory / reference's", 2.0, "ratio")
EPOCH = Target("embedded epoch / reference's (whole lnn train)", 15.0, "ratio")
TIMEOUTS = Target("invocations past their timeout", 0, "count")


def targets(m: Measured) -> list[dict[str, object]]:
    return [
        START.row(m.start_s / m.embedded_run_s),
        MEMORY.row(m.embedded_peak_gb / m.reference_peak_gb),
        EPOCH.row(m.embedded_wall_s / m.reference_wall_s),
        TIMEOUTS.row(m.timeouts_exceeded),
    ]
