"""The user-facing side: CLI, datasets, the reference trainer, plots and benchmarks."""

import os

# OpenBLAS keeps its idle threads spinning for 2**28 cycles (about 0.1 s) after each call.
# The embedded engine calls BLAS in short bursts between long stretches of Python (moto,
# the runner, the handlers), and on a machine with few cores those spinning threads take
# the core that Python needs: on 2 shared cores the cat network's embedded run used 1.8x
# the CPU. Threads that sleep at once cost a wake-up per call and change no result (the
# same threads split the same work). OpenBLAS reads this when numpy loads it, so it is set
# before anything imports numpy; a value of the user's own is kept.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
