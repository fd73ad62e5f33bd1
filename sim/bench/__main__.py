"""``python -m sim.bench``: pin BLAS to one thread through the environment before numpy loads, then run."""

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported: also inherited by the design's worker processes

from sim.bench.core import main  # noqa: E402

sys.exit(main())
