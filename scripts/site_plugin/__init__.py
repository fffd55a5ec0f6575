"""The site's MkDocs plugin ``notes`` (registered in pyproject.toml, installed with the project).

One plugin with a typed configuration (``config.py``) and one class per concern, each in its own
module and holding its own state: ``figures`` (snippets, citations, figure lines, notebook links),
``math`` (TeX to MathML), ``notebook_pages`` (mkdocs-jupyter's pages, lighter), ``original_log``,
``glossary`` (the 용어집, tooltips, tag check), ``search`` (the Korean search index). ``plugin.py``
wires them to MkDocs' events in the order they need.
"""
