import pytest

from tests.support.cli import run_cli


@pytest.fixture(scope="session")
def cli():
    return run_cli
