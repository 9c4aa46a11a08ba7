"""One module per kubectl verb; each defines a KCommand or KGroup at module level."""
