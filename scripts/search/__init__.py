"""Korean search for Material's search plugin: the separator, the index's hidden fields
(``scripts/search/index.py``, kiwipiepy morphemes in ``morphology.py``) and the lexicon
that the in-browser query rewriter (``docs/assets/javascripts/korean-search/``) reads.

Wired to MkDocs by ``scripts/site_plugin/search.py``.
"""
