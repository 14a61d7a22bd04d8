`define W 5
`define USE_PARITY
