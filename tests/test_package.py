"""Package-level behaviour: the numba cache folder follows the kernel sources."""

import os
from pathlib import Path

import edapipe


def test_cache_stamp_follows_kernel_sources():
    kernel = Path(edapipe.__file__).parent / "aig" / "strash_kernels.py"
    before = edapipe._kernel_sources_stamp()
    st = kernel.stat()
    try:
        os.utime(kernel, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert edapipe._kernel_sources_stamp() != before
    finally:
        os.utime(kernel, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert edapipe._kernel_sources_stamp() == before
