"""Technology mapping: AIGs to LUT networks (lut.py) and, later, to library cells."""
