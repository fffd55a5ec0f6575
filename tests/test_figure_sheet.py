"""The contact sheet (python -m scripts.figure_builder --sheet): every figure, both widths and palettes."""

from __future__ import annotations

import re

from scripts.figure_builder import BuilderConfig, sheet


def test_sheet_shows_each_figure_at_both_widths_in_both_palettes_with_caption_and_alt():
    metas = {
        "pe-curves": {"alt": "위치 인코딩 곡선", "wide": {"width": 440, "height": 300}},
        "ln-grad-norms": {
            "alt": "층별 <기울기>",
            "wide": {"width": 855, "height": 380},
            "narrow": {"width": 436, "height": 700},
        },
    }
    page = sheet.render(
        {"pe-curves": "positional_encoding", "ln-grad-norms": "layer_norm"},
        metas,
        {"pe-curves": ["qna/positional-encoding.md: 차원별 곡선"]},
        "generated/figures",
    )
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) == 8 and all(s.startswith("generated/figures/") for s in sources)
    assert sorted(s.rsplit("/", 1)[1] for s in sources if "ln-grad-norms" in s) == [
        "ln-grad-norms-dark.svg",
        "ln-grad-norms-light.svg",  # desktop: the wide layout
        "ln-grad-norms-narrow-dark.svg",
        "ln-grad-norms-narrow-light.svg",
    ]  # phone: the narrow one
    assert page.count("width:358px") == 4 and page.count("width:688px") == 4
    assert "차원별 곡선" in page and "층별 &lt;기울기&gt;" in page and "(no page shows it)" in page


def test_captions_are_read_from_every_page():
    found = sheet.captions(BuilderConfig.for_checkout().root / "docs")
    assert any("layer-norm-warmup.md" in line for line in found["tb-blocks"])
    assert all(name == name.strip() for name in found)
