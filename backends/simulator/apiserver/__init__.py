"""The simulator's Kubernetes API server (aiohttp): routes, discovery, admission, patches,
tables, watch."""
