"""ensure_mappings' listings: one per queue, and a mapping being deleted is waited for."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from infra.stack import StackNames, build_stack
from infra.stack.mappings import ensure_mappings

ACCOUNT = "123456789012"


class _Pages:
    def __init__(self, lam: _Lambda) -> None:
        self.lam = lam

    def paginate(self, **query: str) -> list[dict[str, Any]]:
        self.lam.listings.append(query)
        source = query["EventSourceArn"]
        return [{"EventSourceMappings": [m for m in self.lam.mappings if m["Source"] == source]}]


@dataclass
class _Lambda:
    """The Lambda calls ensure_mappings makes, over a list of mappings."""

    mappings: list[dict[str, Any]] = field(default_factory=list)
    listings: list[dict[str, str]] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)
    deleting_listings: int = 0  # how many listings still show a "Deleting" mapping

    def get_paginator(self, name: str) -> _Pages:
        assert name == "list_event_source_mappings"
        if len(self.listings) >= self.deleting_listings:
            self.mappings = [m for m in self.mappings if m["State"] != "Deleting"]
        return _Pages(self)

    def create_event_source_mapping(self, EventSourceArn: str, FunctionName: str, **_: Any) -> dict:
        assert all(m["State"] != "Deleting" for m in self.mappings), "created too early"
        self.created.append((EventSourceArn, FunctionName))
        return {"UUID": f"u{len(self.created)}"}


@dataclass(frozen=True)
class _Clients:
    lambda_: _Lambda


def _setup() -> tuple[Any, dict[str, str], dict[str, str]]:
    spec = build_stack(StackNames(region="us-east-1", account_id=ACCOUNT, max_depth=1))
    spec = replace(spec, mappings=spec.mappings[:1])
    (mapping,) = spec.mappings
    queue_arns = {mapping.queue: spec.names.queue_arn(mapping.queue)}
    function_arns = {
        fn.key: f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{fn.name}" for fn in spec.functions
    }
    return spec, queue_arns, function_arns


def test_a_missing_mapping_costs_one_listing_then_its_creation() -> None:
    spec, queue_arns, function_arns = _setup()
    lam = _Lambda()
    ensure_mappings(spec, _Clients(lam), queue_arns, function_arns)  # type: ignore[arg-type]
    assert len(lam.listings) == 1
    assert lam.created == [(queue_arns[spec.mappings[0].queue], spec.mappings[0].function)]


def test_a_mapping_being_deleted_is_waited_for_before_it_is_made_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec, queue_arns, function_arns = _setup()
    (mapping,) = spec.mappings
    fn = next(f for f in spec.functions if f.name == mapping.function)
    source = queue_arns[mapping.queue]
    old = {"UUID": "old", "Source": source, "State": "Deleting"}
    old["EventSourceArn"], old["FunctionArn"] = source, function_arns[fn.key]
    lam = _Lambda(mappings=[old], deleting_listings=2)
    monkeypatch.setattr("infra.stack.aws.time.sleep", lambda s: None)  # the poll's pause
    ensure_mappings(spec, _Clients(lam), queue_arns, function_arns)  # type: ignore[arg-type]
    assert len(lam.listings) == 3  # two see it being deleted, the third sees it gone
    assert lam.created == [(source, mapping.function)]
