"""Many stages in one process, many inputs on many processes.

script   splitting a stage script ("read x.v; opt resyn2; cec") into located stages
stages   parsing each stage with its command's own click options; running it on the circuit
runner   running a parsed script in one process: stage rows, errors that name the stage
rows     the one row per input of a batch (JSON lines, CSV, resume journal)
worker   the warm worker process of a batch (`python -m edapipe.batch.worker`)
pool     worker processes with per-input timeouts, memory limits and crash isolation
dask_backend   the same workers on a Dask distributed cluster
explore  recipe search over pass sequences
"""
