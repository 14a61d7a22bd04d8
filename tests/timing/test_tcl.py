"""The Tcl subset of SDC files: a real constraints script against live OpenSTA, and each
command's behaviour and limits (located errors, resource limits, never eval)."""

from __future__ import annotations

import pytest

from edapipe.errors import InputError, ResourceLimit
from edapipe.timing.sdc import DesignNames, read_sdc_text
from tests.conftest import tool
from tests.timing.conftest import DATA, design_files, edapipe_slacks, max_slack_difference, \
    need_shared

NAMES = DesignNames(ports=[("clk", "input"), ("a", "input"), ("b", "input"), ("y", "output")],
                    cells={"u1": "INV"}, nets=["n1"], register_cells=set())


def run(text: str):
    """The constraints and `puts` output of a script on a four-port design."""
    c = read_sdc_text(text, "t.sdc", NAMES, 1e-9, 1e-12)
    return c, c.messages


def test_script_with_procs_loops_and_lists_against_opensta(tmp_path):
    need_shared()
    if tool("sta") is None:
        pytest.skip("sta is not installed")
    text = (DATA / "tcl_constraints.sdc").read_text()
    base = design_files("gcd_sky130hd")[1].read_text()
    a = edapipe_slacks("gcd_sky130hd", base, tmp_path)
    b = edapipe_slacks("gcd_sky130hd", text, tmp_path)
    assert max(abs(a[c][k] - b[c][k]) for c in (0, 1) for k in a[c]) > 0.05
    assert max_slack_difference("gcd_sky130hd", text, tmp_path) < 1e-5


def test_lists_strings_and_expr():
    _, out = run(
        'set l [split "a,b,c" ,]\n'
        'puts [join $l -]\nputs [lindex $l end]\nputs [lindex $l 0]\nputs [llength $l]\n'
        'puts [lrange {1 2 3 4} 1 end-1]\nputs [lsort -integer -decreasing {3 10 2}]\n'
        'puts [concat {a b} c {d {e f}}]\nputs [list a {b c} ""]\n'
        'set x {}\nlappend x 1 {2 3}\nputs [llength $x]\n'
        'puts [string length hello][string toupper ab][string range abcdef 1 3]\n'
        'puts [expr {"ab" eq "ab" && 2 < 3 || 0}][expr {!(1 != 1)}][expr {"b" > "a"}]\n'
        'puts [expr {[llength $l] * 2}]\n'
        'set s 0\nforeach {i j} {1 2 3 4} { set s [expr {$s + $i * $j}] }\nputs $s\n'
        'if {[info exists nothing]} { puts yes } else { puts no }\n'
        'set n 0\nforeach i {1 2 3 4 5} { if {$i == 2} { continue }; if {$i == 4} { break }; '
        'incr n $i }\nputs $n\n')
    assert out == ["a-b-c", "c", "a", "3", "2 3", "10 3 2", "a b c d {e f}", "a {b c} {}",
                   "2", "5ABbcd", "111", "6", "14", "no", "4"]


def test_procs_defaults_args_global_and_return():
    _, out = run("set g 10\n"
                 "proc f {x {y 2} args} { global g; return [expr {$x * $y + $g + "
                 "[llength $args]}] }\n"
                 "puts [f 1]\nputs [f 1 3]\nputs [f 1 3 a b]\n"
                 "proc fact {n} { if {$n <= 1} { return 1 }; "
                 "return [expr {$n * [fact [expr {$n - 1}]]}] }\nputs [fact 10]\n")
    assert out == ["12", "13", "15", "3628800"]


def test_object_lists_stay_objects():
    c, _ = run("create_clock -name c -period 2 [get_ports clk]\nset l {}\n"
               "foreach p {a b} { lappend l [get_ports $p] }\n"
               "set_input_delay 0.5 -clock c $l\n"
               "set_input_delay 0.7 -clock c [lindex [get_ports {a b}] 1]\n")
    assert c.input_delays["a"][0].values[(0, 0)] == pytest.approx(0.5e-9)
    assert c.input_delays["b"][0].values[(0, 0)] == pytest.approx(0.7e-9)


@pytest.mark.parametrize("text, message", [
    ("proc r {n} { r $n }\nr 1\n", "nested deeper"),
    ("set b {puts x}\nforeach i {1 2} $b\n", "braced block"),
    ("break\n", "break outside a loop"),
    ("string reverse abc\n", "string reverse is not supported"),
    ("if {1} \n", "needs a body"),
    ("if {abc} {puts x}\n", "unsupported element"),
    ("set v abc\nif {$v} {puts x}\n", "expected a boolean"),
    ("expr {\"a\" + 1}\n", "arithmetic on a string"),
    ("lindex {a b} x\n", "expected an integer"),
    ("foreach i {1 {2} { puts $i }\n", "missing close-brace"),
    ("info commands\n", "only `info exists"),
    ("regexp {a+} aaa\n", "regexp is not supported"),
    ("proc f {a} {}\nf\n", "no value for a"),
    ("if {1} {" * 5000 + "}" * 5000 + "\n", "blocks nested deeper than 100"),
])
def test_tcl_errors_are_located(text, message):
    with pytest.raises(InputError) as err:
        run(text)
    assert message in str(err.value) and "t.sdc:" in str(err.value)


def test_loops_are_bounded(monkeypatch):
    """Loops and procs spend a command budget (tcl.MAX_COMMANDS, 10^6: about 5 s); beyond
    it the reader stops with a resource limit (exit 4). Checked here with a lower budget."""
    from edapipe.timing import tcl

    monkeypatch.setattr(tcl, "MAX_COMMANDS", 20000)
    words = " ".join(["x"] * 200)
    run(f"foreach i {{{words}}} {{ foreach j {{{words[:99]}}} {{ set k 1 }} }}\n")  # 10200
    text = f"foreach i {{{words}}} {{ foreach j {{{words}}} {{ set k 1 }} }}\n"
    with pytest.raises(ResourceLimit):
        run(text)
    with pytest.raises(ResourceLimit):
        run("proc f {} { f2 }\nproc f2 {} { return 1 }\n"
            f"foreach i {{{words}}} {{ foreach j {{{words}}} {{ f }} }}\n")


# Every command of OpenSTA's SDC reader (sdc/Sdc.tcl, doc/OpenSTA command list) and the Tcl
# commands SDC files use: each is implemented, refused with a located error, or on the
# explicit list of commands that cannot change a setup or hold slack (warned once).
OPENSTA_SDC = """
all_clocks all_inputs all_outputs all_registers create_clock create_generated_clock
current_design current_instance get_cells get_clocks get_lib_cells get_lib_pins get_libs
get_nets get_pins get_ports group_path set_case_analysis set_clock_gating_check
set_clock_groups set_clock_latency set_clock_sense set_clock_transition
set_clock_uncertainty set_data_check set_disable_timing set_drive set_driving_cell
set_false_path set_fanout_load set_hierarchy_separator set_ideal_latency set_ideal_network
set_ideal_transition set_input_delay set_input_transition set_level_shifter_strategy
set_level_shifter_threshold set_load set_logic_dc set_logic_one set_logic_zero
set_max_area set_max_capacitance set_max_delay set_max_dynamic_power set_max_fanout
set_max_leakage_power set_max_time_borrow set_max_transition set_min_capacitance
set_min_delay set_min_porosity set_min_pulse_width set_multicycle_path
set_operating_conditions set_output_delay set_port_fanout_number set_propagated_clock
set_resistance set_sense set_timing_derate set_units set_voltage
set_wire_load_min_block_size set_wire_load_mode set_wire_load_model
set_wire_load_selection_group set_dont_touch set_dont_use create_voltage_area
delete_clock delete_generated_clock remove_clock_groups remove_clock_gating_check
remove_clock_latency remove_clock_uncertainty remove_input_delay remove_output_delay
reset_path unset_case_analysis unset_clock_latency unset_clock_transition
unset_clock_uncertainty unset_data_check unset_disable_timing unset_input_delay
unset_output_delay unset_path_exceptions unset_propagated_clock unset_timing_derate
read_sdc write_sdc source read_spef
set expr foreach if proc return global incr append lappend lindex lrange lsort llength
list concat join split puts info unset string break continue regexp regsub
""".split()


@pytest.mark.parametrize("cmd", OPENSTA_SDC)
def test_no_command_is_accepted_silently(cmd):
    from edapipe.timing.sdc import _HARMLESS, _Reader

    reader = _Reader("", "t.sdc", NAMES, 1e-9, 1e-12)
    if cmd in reader.interp.commands:
        return   # implemented (its options are checked by its own tests)
    if cmd in _HARMLESS:
        c, _ = run(f"{cmd} 1 [get_ports a]\n")
        assert any(cmd in w and "t.sdc:1" in w for w in c.warnings)
        return
    with pytest.raises(InputError) as err:
        run(f"\n{cmd} 1 [get_ports a]\n")
    assert "t.sdc:2:1" in str(err.value)


def test_group_path_is_read_as_a_report_group():
    c, _ = run("group_path -name g1 -weight 2 -from [get_ports a] -through [get_cells u1]\n"
               "group_path -default -rise_to [get_ports y]\n")
    g1, dflt = c.exceptions
    assert (g1.kind, g1.group, [o.name for o in g1.from_objs]) == ("group_path", "g1", ["a"])
    assert (dflt.group, dflt.to_rf, dflt.min_max) == ("**default**", 0, "all")


@pytest.mark.parametrize("text, message", [
    ("group_path -from [get_ports a]\n", "give -name NAME or -default"),
    ("group_path -name g -default -to [get_ports y]\n", "give -name NAME or -default"),
    ("group_path -name g -setup -to [get_ports y]\n", "unknown option -setup"),
    ("group_path -name g -weight x\n", "group_path -weight must be a number"),
    ("group_path -name\n", "-name needs a value"),
    ("group_path -name g\n", "-from, -through or -to required"),
    ("set_false_path -setup\n", "-from, -through or -to required"),
    ("set_max_delay 2\n", "-from, -through or -to required"),
])
def test_group_path_errors_are_located(text, message):
    with pytest.raises(InputError) as err:
        run(text)
    assert message in str(err.value) and "t.sdc:1" in str(err.value)
