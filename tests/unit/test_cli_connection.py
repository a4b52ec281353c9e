"""Sessions for stack commands: an emulator endpoint works without any AWS configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.stack.aws import EMULATOR_REGION, make_session


@pytest.fixture(autouse=True)
def no_aws_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "SECURITY_TOKEN"):
        monkeypatch.delenv(f"AWS_{name}", raising=False)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata probe


@pytest.mark.parametrize("via_env", [False, True])
def test_an_emulator_endpoint_gets_fake_credentials_and_a_region(
    monkeypatch: pytest.MonkeyPatch, via_env: bool
) -> None:
    if via_env:
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    session = make_session(endpoint_url=None if via_env else "http://127.0.0.1:4566")
    credentials = session.get_credentials()
    assert credentials is not None and credentials.access_key == "test"
    assert session.region_name == EMULATOR_REGION


def test_real_aws_keeps_the_ambient_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    assert make_session().get_credentials() is None
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mine")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    session = make_session(region="eu-west-1", endpoint_url="http://127.0.0.1:4566")
    assert session.get_credentials().access_key == "mine"
    assert session.region_name == "eu-west-1"
