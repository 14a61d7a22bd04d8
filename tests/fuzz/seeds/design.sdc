# constraints for design.vg
set period 2.0
set half [expr {$period / 2.0}]
create_clock -name clk -period $period -waveform "0 $half" [get_ports clk]
set_clock_uncertainty 0.05 [all_clocks]
set_clock_transition 0.1 [get_clocks clk]
set_input_delay [expr $period * 0.25] -clock clk [get_ports {a[*] b}]
set_output_delay 0.2 -clock clk [all_outputs]
set_input_transition 0.3 [all_inputs]
set_load 0.03 [get_ports y*]
set_driving_cell -lib_cell INV -pin Y [get_ports b]
set_false_path -from [get_ports a[1]] -to [get_ports y[0]]
set_multicycle_path 2 -setup -to [get_pins r1/D]
set_max_delay 3 -from [get_cells h0/*] ;# a comment after ;
current_design top
