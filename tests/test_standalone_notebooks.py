"""Every notebook the site publishes runs on its own, as a learner would run it in Colab or after a
download: in a folder outside the checkout, with a plain kernel that cannot import `snippets`. Its
first code cell fetches the experiment code from the site (served here on 127.0.0.1, standing in for
the hosted one), and the values it publishes equal the ones the pages cite."""

from __future__ import annotations

import json
import os
import shutil

import nbformat
import pytest

from scripts import figure_builder
from scripts.figure_builder.common import colab_url, site_url
from scripts.figure_builder.runner import SETUP_TAG
from scripts.harness import parse_page

CHECKOUT = figure_builder.BuilderConfig.for_checkout()
NOTEBOOKS = sorted(figure_builder.discover_snippets(CHECKOUT))


def standalone_env(site: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "SNIPPET_OUTPUT_DIR", "PYTEST_CURRENT_TEST")
    }
    # The builder's thread setting, so that the same code gives the same numbers.
    threads = str(figure_builder.DEFAULT_THREADS)
    return {
        **env,
        "NOTES_SITE_URL": site,
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_published_notebook_runs_outside_the_repository_and_reproduces_the_pages_values(
    built_site, site_url, tmp_path, name
):
    from nbclient import NotebookClient

    published = built_site.path / "generated" / "notebooks" / name / f"{name}.ipynb"
    work = tmp_path / "learner"
    work.mkdir()
    shutil.copy(published, work / published.name)
    notebook = nbformat.read(work / published.name, as_version=4)
    setup = [cell for cell in notebook.cells if SETUP_TAG in cell.metadata.get("tags", [])]
    assert len(setup) == 1 and notebook.cells.index(setup[0]) == next(
        i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"
    ), "the setup cell comes first"

    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}})
    client.execute(env=standalone_env(site_url + "/"), cwd=str(work))

    assert (work / "snippets" / "_figures.py").exists(), "the experiment code came from the site"
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    shown = [o for o in outputs if o.get("output_type") == "display_data" and "image/svg+xml" in o.get("data", {})]
    figures = figure_builder.load_manifest(CHECKOUT)[name]["figures"]
    assert len(shown) >= len(figures), "each figure shows inline"
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "figure check:" not in printed
    values_file = work / ".cache" / "direct-run" / "values.json"
    values = json.loads(values_file.read_text(encoding="utf-8")) if values_file.exists() else {}
    expected = json.loads((CHECKOUT.value_dir / f"{name}.json").read_text(encoding="utf-8"))
    assert values == expected
    for value_name in list(expected)[:3]:
        assert f"{value_name} = " in printed, "publish shows the learner the value a page cites"


def test_every_notebook_link_and_notebook_page_offers_colab_and_a_download(built_site):
    checked = 0
    for page in built_site.html_pages():
        soup = parse_page(page)
        relative = page.relative_to(built_site.path).parent.as_posix()
        if relative.startswith("generated/notebooks/"):
            name = relative.rsplit("/", 1)[-1]
            links = {a.get_text(strip=True): a["href"] for a in soup.select("article a[href]")}
            assert links.get("Colab에서 열기") == colab_url(name, site_url(CHECKOUT.root)), page
            assert (page.parent / links[f"노트북 내려받기 ({name}.ipynb)"]).is_file(), page
            checked += 1
            continue
        for link in soup.select("article a[href$='.ipynb'], article a[href*='generated/notebooks/']"):
            if "노트북" not in link.get_text() or "notes-launch" in (link.get("class") or []):
                continue
            name = link["href"].rstrip("/").rsplit("/", 1)[-1]
            launch = [a for a in link.find_next_siblings("a", class_="notes-launch", limit=2)]
            assert [a.get_text() for a in launch] == ["Colab에서 열기", "내려받기"], (page, link)
            assert launch[0]["href"] == colab_url(name, site_url(CHECKOUT.root))
            assert (page.parent / launch[1]["href"]).resolve().is_file(), (page, launch[1]["href"])
            checked += 1
    assert checked >= len(NOTEBOOKS) + 6
    assert (built_site.path / "generated" / "snippets.zip").is_file()


# An exercise done in the notebook: change the constant in the 설정 cell, run every cell, and the
# default-named values are the ones the answer cites from the build's run of that variant.
EXERCISES_IN_THE_NOTEBOOK = [
    ("complexity", "D_FIXED", "256", {"cx_crossover_d_fixed": "cx_d_fixed_256_crossover"}),
    (
        "positional_encoding",
        "D_MODEL",
        "64",
        {"pe_wavelength_20": "pe_d_model_64_wavelength_20", "pe_wavelength_40": "pe_d_model_64_wavelength_40"},
    ),
]


@pytest.mark.parametrize(
    "name, constant, new, cited", EXERCISES_IN_THE_NOTEBOOK, ids=lambda v: v if isinstance(v, str) else ""
)
def test_an_exercise_done_in_the_notebook_gives_the_answers_values(
    built_site, site_url, tmp_path, name, constant, new, cited
):
    import re

    from nbclient import NotebookClient

    published = built_site.path / "generated" / "notebooks" / name / f"{name}.ipynb"
    notebook = nbformat.read(published, as_version=4)
    settings = [
        cell for cell in notebook.cells if cell.cell_type == "code" and re.search(rf"^{constant} = ", cell.source, re.M)
    ]
    assert len(settings) == 1
    settings[0].source = re.sub(rf"^{constant} = [\d_]+", f"{constant} = {new}", settings[0].source, flags=re.M)
    work = tmp_path / "learner"
    work.mkdir()
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute(
        env=standalone_env(site_url + "/"), cwd=str(work)
    )
    values = json.loads((work / ".cache" / "direct-run" / "values.json").read_text(encoding="utf-8"))
    build = json.loads((CHECKOUT.value_dir / f"{name}.json").read_text(encoding="utf-8"))
    for default_name, variant_name in cited.items():
        assert values[default_name] == pytest.approx(build[variant_name], rel=1e-9), default_name
