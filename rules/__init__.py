"""The built-in rule set, one TOML file per family.

This folder is installed as the package `extractor.rules` (see pyproject.toml), which is
how `importlib.resources` finds the rules whatever the install; the module itself holds nothing.
"""
