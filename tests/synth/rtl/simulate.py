"""A tiny reference evaluator of combinational AIGs for tests (pure Python)."""

from __future__ import annotations


def evaluate(aig, inputs: dict[str, int]) -> dict[str, int]:
    """Output values by name for input values by name (missing inputs are 0)."""
    val = [0] * aig.num_vars
    for i in range(aig.num_inputs):
        val[1 + i] = inputs.get(aig.input_name(i), 0) & 1
    first = aig.first_and_var
    f0, f1 = aig.fanin0.tolist(), aig.fanin1.tolist()
    for k in range(aig.num_ands):
        a, b = f0[k], f1[k]
        val[first + k] = (val[a >> 1] ^ (a & 1)) & (val[b >> 1] ^ (b & 1))
    return {aig.output_name(i): val[lit >> 1] ^ (lit & 1)
            for i, lit in enumerate(aig.outputs.tolist())}


def bus(values: dict[str, int], name: str, width: int) -> int:
    return sum(values[f"{name}[{i}]"] << i for i in range(width))


def drive(name: str, value: int, width: int) -> dict[str, int]:
    return {f"{name}[{i}]": (value >> i) & 1 for i in range(width)}
