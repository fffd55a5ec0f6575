"""Executable experiments behind the claims of the site (jupytext percent format)."""
