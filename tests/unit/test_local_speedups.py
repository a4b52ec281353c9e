"""The local stack's stand-in for botocore's form encoding gives urllib's text exactly."""

from __future__ import annotations

import base64
import json
import random
import urllib.parse

import botocore.awsrequest
import pytest

from infra.local.speedups import form_urlencode, quote_plus_bytes, speed_up_botocore


def _samples() -> list[bytes]:
    rng = random.Random(7)
    tricky = b"%+ =/&~-_.azAZ09\x00\xff\x7f"
    message = json.dumps({"data": base64.b64encode(rng.randbytes(3000)).decode(), "n": "a b%"})
    return [
        b"",
        bytes(range(256)),
        b"%2B+ %",  # escapes and literal '%' / '+' side by side
        message.encode(),
        "naïve café".encode(),
        *(bytes(rng.choice(tricky) for _ in range(rng.randrange(40))) for _ in range(150)),
        *(rng.randbytes(rng.randrange(64)) for _ in range(150)),
    ]


@pytest.mark.parametrize("raw", _samples())
def test_quote_plus_bytes_is_quote_plus(raw: bytes) -> None:
    assert quote_plus_bytes(raw) == urllib.parse.quote_plus(raw)


def test_form_urlencode_is_urlencode_for_what_botocore_passes_and_anything_else() -> None:
    pairs = [(b"Action", b"Publish"), (b"Message", _samples()[3]), (b"K e+y", b"v%a/l")]
    assert form_urlencode(pairs, doseq=True) == urllib.parse.urlencode(pairs, doseq=True)
    others: list[object] = [
        {"Action": "Publish", "N": 3},
        [("Action", "Publish")],  # text, not bytes
        [(b"Tags", [b"a b", b"c"])],  # a sequence value
        [(b"N", 3)],
    ]
    for query in others:
        for doseq in (False, True):
            expected = urllib.parse.urlencode(query, doseq=doseq)  # type: ignore[arg-type]
            assert form_urlencode(query, doseq=doseq) == expected
    assert form_urlencode(pairs, True, "/") == urllib.parse.urlencode(pairs, True, "/")


def test_botocore_prepares_the_same_body_with_the_stand_in() -> None:
    data = {"Action": "Publish", "Message": json.dumps({"x": "+/= é"}), "TopicArn": "arn:a:b"}
    before = botocore.awsrequest.AWSRequest(method="POST", url="https://sns.x/", data=data)
    expected = before.prepare().body
    speed_up_botocore()
    speed_up_botocore()  # idempotent
    assert botocore.awsrequest.urlencode is form_urlencode
    after = botocore.awsrequest.AWSRequest(method="POST", url="https://sns.x/", data=data)
    assert after.prepare().body == expected
