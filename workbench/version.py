"""The workbench's version, in a module of its own: modules that stamp it on their output
(the TMX header, ``--version``) import it without importing the package's API, which
imports them (a cycle)."""

__version__ = "0.1.0"
