"""The one Verilog token grammar (aig/io/vlog_syntax): the AIG reader and the gate-level parser
of the timing netlist (aig/io/vlog_parse) see the same tokens and locate lexical errors at the
same place."""

from __future__ import annotations

import pytest

from edapipe.aig.io import verilog, vlog_parse, vlog_syntax
from edapipe.errors import InputError
from edapipe.timing import netlist


def test_both_readers_use_the_one_grammar():
    assert verilog._PLAIN_TOKEN_RE is vlog_syntax.TOKEN_RE
    assert vlog_syntax.TOKEN in verilog._TOKEN_RE.pattern
    for fast in (False, True):
        assert vlog_syntax.TOKEN in vlog_parse.token_re(fast).pattern
    assert netlist.vlog_parse is vlog_parse


@pytest.mark.parametrize("text", [
    b"module m(a, y);\n input a; output y;\n /* never closed\n assign y = a;\nendmodule\n",
])
def test_an_unterminated_comment_is_located_alike_by_both_readers(text):
    with pytest.raises(InputError) as read_err:
        verilog.parse_verilog(text, "u.v")
    with pytest.raises(InputError) as sta_err:
        netlist.read_netlist_text(text.decode(), "u.v", lambda cell: None)
    assert (read_err.value.line, read_err.value.column) == (3, 2)
    assert (sta_err.value.line, sta_err.value.column) == (3, 2)


def test_operators_are_whole_tokens_in_netlist_messages():
    with pytest.raises(InputError, match="found '<='"):
        netlist.read_netlist_text("module m(a, y);\n input a; output y;\n assign y <= a;\n"
                                  "endmodule\n", "o.v", lambda cell: None)


def test_underscores_in_decimal_numbers_are_one_token_for_both():
    text = "module m(a, y);\n input [1_0:0] a; output y;\n assign y = a[1_0];\nendmodule\n"
    nl = netlist.read_netlist_text(text, "d.v", lambda cell: None)
    assert [p.name for p in nl.ports][:2] == ["a[10]", "a[9]"]
    aig = verilog.parse_verilog(text.encode(), "d.v")
    assert aig.num_inputs == 11
