"""README's layout section names every module, so a newcomer finds each file in one read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def layout_section() -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index("## Layout of the code") : text.index("## Speed")]


def test_every_module_has_its_line_in_the_layout():
    layout = layout_section()
    modules = [p for d in ("engine", "server") for p in (ROOT / d).glob("*.py") if p.name != "__init__.py"]
    modules += list((ROOT / "static" / "js").rglob("*.js"))
    assert modules, "no modules found: the layout check would pass on nothing"
    named = set(re.findall(r"[\w/.-]+\.(?:py|js)", layout))
    missing = []
    for path in modules:
        rel = path.relative_to(ROOT / "static" / "js") if path.suffix == ".js" else path.relative_to(ROOT)
        if str(rel) not in named and path.name not in named:
            missing.append(str(rel))
    assert missing == [], f"README's layout does not name: {missing}"
