"""DOT: a picture of small circuits that Graphviz accepts."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings

from edapipe.aig.builder import AigBuilder
from edapipe.aig.core import LATCH_INIT_X
from edapipe.aig.io import dump, read
from edapipe.aig.io.dot import dump_dot
from tests.aig.io.roundtrip import ISCAS89, circuit_params, load, random_aigs
from tests.conftest import need


def small():
    b = AigBuilder(name='say "hi"')
    a = b.add_input("a")
    c = b.add_input("b\\c")
    q = b.add_latch("q", init=LATCH_INIT_X)
    n = b.and_(a, c ^ 1)
    b.set_latch_next(q, n ^ 1)
    b.add_output(b.and_(n, b.latch_lit(q)), "y")
    b.add_output(0, "zero")
    return b.build()


def test_shapes_styles_and_labels():
    text = dump_dot(small()).decode()
    assert text.startswith('digraph "say \\"hi\\"" {')
    assert "shape=triangle" in text and "shape=invtriangle" in text
    assert "shape=box" in text and "q (init x)" in text
    assert "style=dashed" in text
    assert 'label="b\\\\c"' in text
    assert "v0 [shape=square" in text        # the constant is drawn when used
    assert "constraint=false" in text        # latch feedback does not drive the layout
    assert text.rstrip().endswith("}")


def test_every_node_and_edge_is_there():
    aig = read(need(ISCAS89 / "s27.bench"))
    text = dump(aig, "dot").decode()
    arrows = [line for line in text.splitlines() if "->" in line]
    assert len(arrows) == 2 * aig.num_ands + aig.num_outputs + aig.num_latches


def test_graphviz_accepts_it(tmp_path):
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("graphviz is not installed")
    src = tmp_path / "s27.dot"
    src.write_bytes(dump_dot(read(need(ISCAS89 / "s27.bench"))))
    proc = subprocess.run([dot, "-Tsvg", str(src)], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert b"<svg" in proc.stdout


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_aigs())
def test_random_aigs_give_balanced_text(aig):
    text = dump_dot(aig).decode()
    assert text.count("{") == text.count("}")
    arrows = sum("->" in line for line in text.splitlines())
    assert arrows == 2 * aig.num_ands + aig.num_outputs + aig.num_latches


@pytest.mark.parametrize("path", circuit_params())
def test_benchmarks_draw(path):
    aig = load(path)
    text = dump_dot(aig).decode()
    arrows = sum("->" in line for line in text.splitlines())
    assert arrows == 2 * aig.num_ands + aig.num_outputs + aig.num_latches
