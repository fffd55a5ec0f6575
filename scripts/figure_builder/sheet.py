"""A contact sheet: every figure at a phone's and a desktop's width, in both palettes, with its
caption(s) and alt text, on one local HTML page, so that a person can review them all at once.

    python -m scripts.figure_builder --sheet     # writes .cache/figure-sheet.html and prints its path

The page shows each figure as the site does: on a phone (390 px screen, 358 px column) the
narrow layout where the snippet drew one, on a desktop (688 px column) the wide one, each at
most its natural width, on Material's light and dark (slate) backgrounds.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from scripts.figure_builder.config import BuilderConfig
from scripts.figure_builder.manifest import figure_meta, known_figures, load_manifest

COLUMNS = {"phone": 358, "desktop": 688}  # CSS px of Material's content column
BACKGROUNDS = {"light": "#ffffff", "dark": "#1e2129"}  # Material's default and slate
FOREGROUNDS = {"light": "#1f2328", "dark": "#e3e6eb"}
_FIGURE_LINE = re.compile(r'!\[[^\]]*\]\(figure:(?P<name>[A-Za-z0-9-]+)(?:\s+"(?P<caption>[^"]*)")?\)')


def captions(docs: Path) -> dict[str, list[str]]:
    """Every caption a page under ``docs`` gives each figure, as 'page: caption'."""
    found: dict[str, list[str]] = {}
    for page in sorted(docs.rglob("*.md")):
        for match in _FIGURE_LINE.finditer(page.read_text(encoding="utf-8")):
            found.setdefault(match["name"], []).append(f"{page.relative_to(docs)}: {match['caption'] or ''}")
    return found


def _image(name: str, meta: dict, device: str, palette: str, folder: str) -> str:
    layout = "narrow" if device == "phone" and meta.get("narrow") else "wide"
    suffix = "-narrow" if layout == "narrow" else ""
    path = f"{folder}/{name}{suffix}-{palette}.svg"
    width = meta[layout]["width"]
    return (
        f'<div class="cell" style="background:{BACKGROUNDS[palette]};color:{FOREGROUNDS[palette]};'
        f'width:{COLUMNS[device]}px"><img src="{html.escape(path)}" alt="" '
        f'style="width:min({width}px,100%)"><p>{device}, {palette}, {layout} layout, '
        f"{width} px natural</p></div>"
    )


def render(figures: dict[str, str], metas: dict[str, dict], pages: dict[str, list[str]], folder: str) -> str:
    """The sheet, its images in ``folder`` (relative to the sheet)."""
    sections = []
    for name, snippet in sorted(figures.items(), key=lambda item: (item[1], item[0])):
        meta = metas[name]
        cells = "".join(_image(name, meta, device, palette, folder) for device in COLUMNS for palette in BACKGROUNDS)
        used = "".join(f"<li>{html.escape(line)}</li>" for line in pages.get(name, ["(no page shows it)"]))
        sections.append(
            f'<section id="{name}"><h2>{name} <small>snippets/{snippet}.py</small></h2>'
            f'<ul class="captions">{used}</ul><p class="alt"><b>alt</b> {html.escape(meta["alt"])}</p>'
            f'<div class="row">{cells}</div></section>'
        )
    index = " · ".join(f'<a href="#{name}">{name}</a>' for name in sorted(figures))
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>그림 검토 (contact sheet)</title>
<style>
body {{ font: 14px/1.45 system-ui, "Noto Sans KR", sans-serif; margin: 16px; background: #f3f4f6; }}
section {{ margin: 24px 0 40px; }}
h2 small {{ font-weight: normal; color: #555; }}
.row {{ display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }}
.cell {{ padding: 0; box-sizing: content-box; outline: 1px solid #bbb; }}
.cell img {{ display: block; height: auto; margin: 0 auto; }}
.cell p {{ margin: 4px 6px; font-size: 12px; opacity: 0.8; }}
.alt, .captions {{ max-width: 1100px; }}
</style></head><body>
<h1>그림 검토: {len(figures)}개, 휴대폰(358 px 칸)과 데스크톱(688 px 칸), 밝은/어두운 화면</h1>
<p>{index}</p>
{"".join(sections)}
</body></html>
"""


def write_sheet(config: BuilderConfig) -> Path:
    """Write the sheet for the figures the last good runs made; returns its path."""
    manifest = load_manifest(config)
    figures = known_figures(config, manifest)
    metas = {name: figure_meta(config, name) for name in figures}
    sheet = config.root / ".cache" / "figure-sheet.html"
    folder = os.path.relpath(config.figure_dir, sheet.parent)
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_text(render(figures, metas, captions(config.root / "docs"), folder), encoding="utf-8")
    return sheet
