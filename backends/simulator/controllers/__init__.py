"""The simulator's controllers: level-triggered loops that make the cluster converge."""
