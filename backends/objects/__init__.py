"""Kubernetes object machinery shared by the CLI and the simulator: pure functions over dicts
(schemas, patches, selectors, quantities). Nothing here does I/O beyond reading the bundled
schemas."""
