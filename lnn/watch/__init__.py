"""Watching a run: the live page (``lnn train --watch``, ``lnn watch RUN``) and the saved
report (``report.html``, ``lnn report RUN``). Both draw one document (``view.py``) with one
page script, assembled from ``assets/`` by ``page.py``; the live page polls the document, the
report carries it inline. A sweep's page and report, comparing its trials, are in ``sweep/``."""
