"""Build-time code: the figure builder, the site's MkDocs plugin (``site_plugin``), benchmarks."""
