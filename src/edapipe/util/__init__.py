"""Small shared helpers: atomic outputs, standard streams, the stderr console."""
