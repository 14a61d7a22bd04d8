"""Batches on a Dask distributed cluster (`batch --dask tcp://host:8786` or `--dask local:N`).

Each Dask worker keeps warm edapipe worker processes (pool.WorkerProcess) through a worker
plugin, and a Dask task hands one input to one of them. So the rows are computed by the same
code as a local batch (timeouts, memory limits and crashes isolated per input, the same
fields), and a worker imports edapipe and loads its kernels once, not per input. Inputs and
outputs are paths: on a real cluster they must be on a file system every worker sees, and
the scheduler's workers need edapipe installed (`pip install edapipe[dask]`).
"""

from __future__ import annotations

import threading
import uuid

from edapipe.errors import UsageError

PLUGIN = "edapipe-batch"

try:
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
except ImportError:         # without the extra; _client says so before any use
    _PluginBase = object


def _client(address: str):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--dask needs dask.distributed: pip install 'edapipe[dask]'") from None
    if address.startswith("local:"):
        try:
            n = int(address[len("local:"):])
        except ValueError:
            n = 0
        if n < 1:
            raise UsageError(f"--dask {address}: give local:N with N >= 1 workers")
        # one thread per worker process: each runs one warm edapipe worker at a time
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(address, timeout=30), None
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--dask {address}: cannot reach the scheduler: {exc}") from None


class WarmWorkers(_PluginBase):
    """A Dask worker plugin: idle WorkerProcess objects of this Dask worker, reused."""

    name = PLUGIN

    def __init__(self, script: str, memory: float):
        self.script = script
        self.memory = memory

    def setup(self, worker=None):
        # made on the worker: the plugin travels pickled, and a lock does not pickle
        self.idle: list = []
        self.lock = threading.Lock()

    def teardown(self, worker=None):
        with self.lock:
            for w in self.idle:
                w.close()
            self.idle.clear()

    def run(self, task: dict, timeout: float | None) -> dict:
        from edapipe.batch.pool import WorkerProcess

        with self.lock:
            w = self.idle.pop() if self.idle else WorkerProcess(self.script, self.memory)
        try:
            return w.run(task, timeout)
        finally:
            with self.lock:
                self.idle.append(w)


def _task(task: dict, timeout: float | None) -> dict:
    from distributed import get_worker

    return get_worker().plugins[PLUGIN].run(task, timeout)


class DaskPool:
    """A Dask client (and LocalCluster for local:N) with the warm-worker plugin registered;
    run() may be called several times (explore's rounds)."""

    def __init__(self, address: str, script: str | None, memory: float = 0.0):
        self.client, self.cluster = _client(address)
        try:
            plugin = WarmWorkers(script, memory)
            if hasattr(self.client, "register_plugin"):
                self.client.register_plugin(plugin, name=PLUGIN)
            else:                                           # distributed < 2023.9
                self.client.register_worker_plugin(plugin, name=PLUGIN)
        except BaseException:
            self.close()
            raise
        self.run_id = uuid.uuid4().hex[:8]

    def run(self, tasks: list[dict], timeout: float | None, on_row) -> None:
        from distributed import as_completed

        futures = [self.client.submit(_task, t, timeout, pure=False,
                                      key=f"edapipe-{self.run_id}-{uuid.uuid4().hex[:8]}")
                   for t in tasks]
        for fut in as_completed(futures):
            on_row(fut.result())

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
