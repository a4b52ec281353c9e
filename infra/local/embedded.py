"""EmbeddedStack: moto in-process (`mock_aws`) plus Lambda runners, for one process."""

from __future__ import annotations

import os
from typing import Any

import boto3

from infra.local.exceptions import StackNotStartedError
from infra.local.moto_compat import correct_moto
from infra.local.runner import DEFAULT_LOCAL_RETRY_DELAY, LambdaRunner
from infra.local.speedups import speed_up_botocore, speed_up_moto

_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}


class EmbeddedStack:
    """`with EmbeddedStack() as stack:` gives `stack.session` and `stack.runner(**opts)`.

    Enters moto's `mock_aws` with fake credentials and region in os.environ; every
    AWS_ENDPOINT_URL* and AWS_PROFILE is hidden so that no client escapes the mock.
    The environment is restored on exit.
    """

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self._saved: dict[str, str | None] = {}
        self._mock: Any = None
        self._runners: list[LambdaRunner] = []
        self._session: boto3.Session | None = None
        self._saved_default: boto3.Session | None = None

    @property
    def session(self) -> boto3.Session:
        if self._session is None:
            raise StackNotStartedError("use the EmbeddedStack inside its `with` block")
        return self._session

    def runner(self, **options: Any) -> LambdaRunner:
        """A LambdaRunner on this stack; retry_delay defaults to the short local delay."""
        options.setdefault("retry_delay", DEFAULT_LOCAL_RETRY_DELAY)
        runner = LambdaRunner(self.session, **options)
        self._runners.append(runner)
        return runner

    def __enter__(self) -> EmbeddedStack:
        from moto import mock_aws

        hidden = [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")] + ["AWS_PROFILE"]
        values = {**_FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region}
        self._saved = {k: os.environ.get(k) for k in [*values, *hidden]}
        for name in hidden:
            os.environ.pop(name, None)
        os.environ.update(values)
        try:
            correct_moto()
            speed_up_moto()
            speed_up_botocore()
            self._mock = mock_aws()
            self._mock.start()
        except BaseException:
            self._restore_environment()
            raise
        self._session = boto3.Session(region_name=self.region)
        # The functions make their clients from boto3's default session, as on Lambda: made
        # this one, they share the service models deploy loaded (~0.1 s less per stack).
        self._saved_default = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = self._session
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            for runner in self._runners:
                runner.close()
            self._mock.stop()
        finally:
            self._runners.clear()
            if boto3.DEFAULT_SESSION is self._session:
                boto3.DEFAULT_SESSION = self._saved_default
            self._session = None
            self._restore_environment()

    def _restore_environment(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
