"""The command-line interface: kubectl's verbs, flags, output and exit codes."""
