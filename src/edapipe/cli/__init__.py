"""The command-line interface: thin click commands over the library.

COMMANDS is the one registry of subcommands: name -> (module, attribute, one-line help). The
group imports a command's module only when that command runs (or its own --help is asked for),
so `edapipe --help` and argument errors never import numpy-heavy code or numba.
"""

COMMANDS: dict[str, tuple[str, str, str]] = {
    "read": ("edapipe.cli.logic", "read_cmd", "Read a circuit in any format and write AIGER."),
    "write": ("edapipe.cli.logic", "write_cmd", "Write a circuit in the format named by -o or --format."),
    "convert": ("edapipe.cli.logic", "convert_cmd", "Convert a circuit from one format to another."),
    "stats": ("edapipe.cli.logic", "stats_cmd", "Print inputs, outputs, latches, ANDs and levels."),
    "strash": ("edapipe.cli.logic", "strash_cmd", "Structurally hash a circuit into a clean AIG."),
    "sim": ("edapipe.cli.logic", "sim_cmd", "Simulate: random signatures or given input vectors."),
    "opt": ("edapipe.cli.opt", "opt_cmd", "Optimize with a script (resyn2, 'b; rw; rf', ...)."),
    "map": ("edapipe.cli.map", "map_cmd", "Map a circuit to K-input LUTs or to Liberty cells."),
    "flow": ("edapipe.cli.flow", "flow_cmd", "RTL to a mapped, proven, timed netlist."),
    "cec": ("edapipe.cli.cec", "cec_cmd", "Check combinational equivalence of two designs."),
    "prove": ("edapipe.cli.prove", "prove_cmd", "Prove or refute safety properties (PDR, BMC, k-induction)."),
    "check-certificate": ("edapipe.cli.prove", "check_certificate_cmd",
                          "Check a proof certificate of `prove` with three SAT calls."),
    "sec": ("edapipe.cli.sec", "sec_cmd", "Check sequential equivalence of two designs."),
    "sta": ("edapipe.cli.sta", "sta_cmd", "Static timing analysis with Liberty and SDC."),
    "spice": ("edapipe.cli.spice", "spice_cmd", "Simulate a SPICE netlist (op, dc, ac, tran)."),
    "run": ("edapipe.cli.run", "run_cmd", "Run a script of stages in one process (read; opt; cec)."),
    "batch": ("edapipe.cli.batch", "batch_cmd", "Run a script over many inputs on worker processes."),
    "explore": ("edapipe.cli.explore", "explore_cmd", "Search pass sequences for the smallest circuit."),
}
