"""Watching a run: the live page (``lnn train --watch``, ``lnn watch RUN``) and the saved
report (``report.html``, ``lnn report RUN``). Both draw one document (``document.py``) with
one page script (``assets/page.js``); the live page polls it, the report carries it inline."""
