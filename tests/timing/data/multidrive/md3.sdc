create_clock -name clk -period 2 [get_ports clk]
set_input_delay 0.2 -clock clk [get_ports {a b c d}]
set_output_delay 0.3 -clock clk [get_ports {y w}]
set_load 0.01 [get_ports {y w}]
