"""The prices, billing units and latencies of the estimate, read from prices.json (the one
place they are written down, each with its source)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

# The four corners of a latency band: the p50 and the p99 ranges, low and high ends.
BANDS = ("p50_low", "p50_high", "p99_low", "p99_high")
_PRICES_FILE = "prices.json"
Units = dict[str, float]  # billed amounts keyed like the prices, e.g. {"sqs_request": 2}


@dataclass(frozen=True)
class Price:
    usd: float
    per: int
    unit: str
    source: str

    @property
    def each(self) -> float:
        """Dollars for one unit."""
        return self.usd / self.per


@dataclass(frozen=True)
class Latency:
    """Seconds for each band, what it is the latency of, and where the figure comes from."""

    seconds: dict[str, float]
    what: str
    source: str


@dataclass(frozen=True)
class BillingUnits:
    sqs_chunk_bytes: int
    sns_chunk_bytes: int
    dynamodb_write_unit_bytes: int
    dynamodb_read_unit_bytes: int
    lambda_duration_ms: int
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PriceBook:
    region: str
    recorded: str
    recorded_from: str
    prices: dict[str, Price]
    units: BillingUnits
    hop: dict[str, Latency]  # by the service that carries the hop: sns, sqs
    call: dict[str, Latency]  # by the service called from a function
    not_counted: tuple[str, ...]

    def call_seconds(self, service: str, band: str) -> float:
        """One call's latency; a service without a figure (none on the network's path) 0."""
        latency = self.call.get(service)
        return latency.seconds[band] if latency else 0.0


def _latency(entry: dict[str, Any], hops: dict[str, Latency] | None = None) -> Latency:
    if "as_hop" in entry:
        if hops is None:
            raise ValueError("a hop latency cannot refer to another hop")
        seconds = hops[entry["as_hop"]].seconds
    else:
        seconds = {}
        for quantile in ("p50", "p99"):
            low, high = entry[quantile]
            seconds[f"{quantile}_low"], seconds[f"{quantile}_high"] = low / 1000, high / 1000
    return Latency(dict(seconds), entry["what"], entry["source"])


def _parse_price_book(document: dict[str, Any]) -> PriceBook:
    latency = document["latency_ms"]
    hop = {name: _latency(entry) for name, entry in latency["hop"].items()}
    units = dict(document["billing_units"])
    return PriceBook(
        region=document["region"],
        recorded=document["recorded"],
        recorded_from=document["recorded_from"],
        prices={name: Price(**entry) for name, entry in document["prices_usd"].items()},
        units=BillingUnits(**{**units, "sources": tuple(units["sources"])}),
        hop=hop,
        call={name: _latency(entry, hop) for name, entry in latency["call"].items()},
        not_counted=tuple(document["not_counted"]),
    )


def load_price_book() -> PriceBook:
    text = resources.files("lnn.estimate").joinpath(_PRICES_FILE).read_text()
    return _parse_price_book(json.loads(text))
