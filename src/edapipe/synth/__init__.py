"""Logic synthesis on AIGs: one module per pass (named after its command), scripts, mapping."""
