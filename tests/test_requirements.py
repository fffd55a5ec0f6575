"""Every third-party module our code imports comes from a package pinned in requirements.in, at the
version requirements.txt pins; and the npm tools the benchmarks install come from a lockfile."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import sys

from scripts.harness import ROOT
from scripts.harness.lighthouse import PACKAGE_DIR

SOURCES = [p for folder in ("scripts", "snippets", "tests") for p in sorted((ROOT / folder).rglob("*.py"))]
FIRST_PARTY = {"scripts", "snippets", "tests", "page_prose"}
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", re.MULTILINE)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path) -> dict[str, str]:
    return {normalized(name): version for name, version in PIN.findall(path.read_text(encoding="utf-8"))}


def imported_modules() -> dict[str, str]:
    """Top-level module -> the first file importing it, for every absolute import."""
    found: dict[str, str] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                else []
            )
            for name in names:
                found.setdefault(name.split(".")[0], path.relative_to(ROOT).as_posix())
    return found


def test_every_imported_package_is_pinned_in_requirements_in():
    direct = pins(ROOT / "requirements.in")
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for module, where in sorted(imported_modules().items()):
        if module in sys.stdlib_module_names or module in FIRST_PARTY or module == "__future__":
            continue
        owners = {normalized(d) for d in distributions.get(module, [])}
        if not owners & direct.keys():
            missing.append(f"{module} ({where}): from {sorted(owners) or 'no installed package'}")
    assert not missing, "imported but not pinned in requirements.in:\n" + "\n".join(missing)


def test_requirements_in_pins_what_requirements_txt_pins():
    direct, everything = pins(ROOT / "requirements.in"), pins(ROOT / "requirements.txt")
    assert direct and {name: everything.get(name) for name in direct} == direct


def test_the_npm_tools_have_a_lockfile_that_matches_their_package_json():
    package = json.loads((PACKAGE_DIR / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((PACKAGE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
