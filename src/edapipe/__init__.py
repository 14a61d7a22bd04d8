"""edapipe: a command-line EDA toolchain.

Importing the package changes nothing global: no environment variable, no numba setting, no
import of numpy or numba. The `edapipe` program sets its process environment at its entry
(cli/main.py); kernels find their cache folder through edapipe.util.jit.
"""

__version__ = "0.1.0"
