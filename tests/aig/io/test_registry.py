"""aig.io's reader registry: aig never imports synth; the RTL frontend registers itself."""

from __future__ import annotations

import json
import subprocess
import sys

RTL = b"module m(input [1:0] a, output [1:0] y);\n  assign y = a + 2'd1;\nendmodule\n"

_CHECK = """
import json, sys
from edapipe.aig import io
from edapipe.errors import InputError
out = {"synth_loaded": any(m.startswith("edapipe.synth") for m in sys.modules)}
try:
    io.parse(%r, "m.v")
except InputError as exc:
    out["error"] = [exc.file, exc.line, exc.reason]
import edapipe.synth.rtl
aig = io.parse(%r, "m.v")
out["after"] = [aig.num_inputs, aig.num_outputs, aig.num_ands]
print(json.dumps(out))
"""


def test_rtl_reader_is_registered_by_the_frontend():
    proc = subprocess.run([sys.executable, "-c", _CHECK % (RTL, RTL)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["synth_loaded"] is False              # reading aig.io did not load synth
    file, line, reason = out["error"]
    assert (file, line) == ("m.v", 2) and "import edapipe.synth.rtl" in reason
    assert out["after"][:2] == [2, 2]
