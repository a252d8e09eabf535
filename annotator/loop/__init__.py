"""The model in the loop: opening a project, suggesting, training rounds, adopting a model.

The CLI (`annotate`, `suggest`) and the screen both go through this package; it knows
nothing of Textual (an import-linter contract says so), so every step is tested with a
plain SQLite file. Submodules are imported by name: this package imports nothing eagerly,
and spaCy loads only when a model has to run.
"""
