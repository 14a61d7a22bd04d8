"""analog"""

import os as _os

# The simulator's linear algebra is sparse (SuperLU and our numba LU), never dense BLAS:
# keep OpenBLAS from starting a spinning thread per core when numpy is first imported
# through this package (about 0.15 s of CPU per process on the 2-core machines here).
# No effect when numpy was imported earlier.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
