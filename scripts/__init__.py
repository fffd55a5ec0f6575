"""Build-time code: the figure builder, MkDocs hooks and benchmarks."""
