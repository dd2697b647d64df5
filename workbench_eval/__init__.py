"""Benchmarks of the workbench, beside the product: every figure in BENCHMARKS.md comes
from here, through ``workbench eval ...`` (:mod:`.cli`).

* :mod:`.score`: Vecalign's strict and lax alignment scorer (small, numpy only);
* :mod:`.harness`: shared scores, TICO-19 readers, measured subprocesses, and the
  sentence-splitting, ingestion, translation and embedder benchmarks;
* :mod:`.align`: Text+Berg alignment, Tatoeba retrieval, comparable mining;
* :mod:`.events`: the trilingual TICO-19 story corpus, events, threads, link confidence;
* :mod:`.run`: a cold ``workbench run`` against embedding its sentences once;
* :mod:`.scale`: mining at corpus scale, local against Ray engines;
* :mod:`.app`: how fast the app's parallel view renders and saves an edit;
* :mod:`.measured`: ``workbench`` that reports its own peak memory.
"""
