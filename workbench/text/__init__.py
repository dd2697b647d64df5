"""From a file to sentences: read (``ingest``), strip boilerplate (``clean``), normalise
(``normalise``), identify languages (``langid``), split into sentences (``split``) and find
the dates a text reports (``dates``). Import from the modules: ``workbench.text.split``."""
