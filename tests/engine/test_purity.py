import subprocess
import sys


def test_engine_imports_no_web_code():
    code = (
        "import sys, engine\n"
        "web = {'fastapi', 'starlette', 'uvicorn', 'jinja2', 'websockets', 'server'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in web))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
