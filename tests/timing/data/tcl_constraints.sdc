# a constraints script as OpenSTA users write them: variables, procs, loops, lists
set period 5
set clk_name clk
create_clock -name $clk_name -period $period [get_ports clk]
proc io_delay {fraction {scale 1}} {
  global period
  return [expr {$period * $fraction * $scale}]
}
set slow {}
set fast [list]
foreach i {0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31} {
  if {$i % 3 == 0} {
    lappend slow [get_ports "req_msg\[$i\]"]
  } elseif {$i % 3 == 1} {
    lappend fast [get_ports "req_msg\[$i\]"]
  } else {
    set_input_delay [io_delay 0.05 [expr {$i / 8 + 1}]] -clock $clk_name [get_ports "req_msg\[$i\]"]
  }
}
set_input_delay [io_delay 0.3] -clock $clk_name $slow
set_input_delay [io_delay 0.1 0.5] -clock $clk_name [concat $fast [get_ports {req_val reset}]]
set_input_delay [io_delay 0.2] -clock $clk_name [get_ports resp_rdy]
set outs [all_outputs]
set n [llength $outs]
foreach o [lsort [list resp_val req_rdy]] {
  if {[string match resp* $o]} { set_output_delay 1.5 -clock $clk_name [get_ports $o] } else {
    set_output_delay 0.5 -clock $clk_name [get_ports $o] }
}
set k 0
foreach b {0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15} {
  incr k
  if {$k > 12} { break }
  set_output_delay [expr {0.1 * $k}] -clock $clk_name [get_ports "resp_msg\[$b\]"]
}
foreach b {12 13 14 15} { set_output_delay 0.2 -clock $clk_name [get_ports "resp_msg\[$b\]"] }
set_input_transition [lindex {0.05 0.1 0.2} end] [all_inputs]
