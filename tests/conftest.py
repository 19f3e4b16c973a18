import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def data_home(tmp_path_factory):
    """Every `backprop-lab` a test starts keeps its data (the secret behind presenters' tokens)
    in a folder of the test run's, never in the real ~/.local/share: the servers a test starts
    one after another, or side by side behind nginx, share it as one user's would."""
    home = tmp_path_factory.mktemp("data-home")
    before = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(home)
    yield home
    if before is None:
        del os.environ["XDG_DATA_HOME"]
    else:
        os.environ["XDG_DATA_HOME"] = before
