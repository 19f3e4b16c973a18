"""The page's JavaScript unit tests (tests/js/*.test.mjs) under Node's built-in runner,
so the README's single pytest command runs them too. Skips where no `node` exists on a
developer's machine; under CI (the CI variable set) a missing node is a failure."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_node_unit_tests():
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Node.js for tests/js: .ci/run installs Debian's nodejs package")
        pytest.skip("no node on this machine (apt-get install nodejs)")
    # The files by name: Node 18 and 20 disagree on which names a directory run picks up.
    files = sorted(str(p) for p in HERE.glob("*.test.mjs"))
    assert files, "no tests/js/*.test.mjs found"
    env = {**os.environ, "BACKPROP_PYTHON": sys.executable}  # for the test that reads the engine's descriptions
    proc = subprocess.run(
        [node, "--test", *files], cwd=HERE.parents[1], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, f"node --test failed:\n{proc.stdout}\n{proc.stderr}"
    assert "# skipped 0" in proc.stdout, f"a JavaScript test skipped:\n{proc.stdout}"
