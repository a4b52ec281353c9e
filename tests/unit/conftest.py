"""The unit tier opens no sockets: pytest-socket refuses any attempt, so a test that would
need the network (or an emulator behind one) fails here instead of passing by accident."""

from collections.abc import Iterator

import pytest
from pytest_socket import disable_socket, enable_socket


@pytest.fixture(autouse=True)
def _no_sockets() -> Iterator[None]:
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()
