"""TeX to MathML at build time (``scripts/tex_to_mathml.py``): no script and no network, browsers
render MathML natively. A TeX expression that cannot be rendered fails the build naming the page."""

from __future__ import annotations

from mkdocs.exceptions import PluginError

from scripts import tex_to_mathml


class Math:
    def on_page_content(self, html: str, page) -> str:
        try:
            return tex_to_mathml.render(html, page.file.src_uri)
        except tex_to_mathml.MathError as error:
            raise PluginError(str(error)) from None
