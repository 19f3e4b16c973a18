"""The README's Python API example runs as written and learns."""

import contextlib
import io
import re
from pathlib import Path


def test_readme_python_example_runs():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    code = re.search(r"## Python API.*?```python\n(.*?)```", readme, re.S).group(1)
    scope: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code, "README.md", "exec"), scope)
    assert scope["record"].step == 2000 and len(scope["record"].layers) == 3
    assert scope["trainer"].evaluate("test")["accuracy"] > 0.9
    assert "accuracy" in out.getvalue()
