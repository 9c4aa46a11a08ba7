"""KubeBackend: any real Kubernetes API server, through the official ``kubernetes`` client.
The only package that imports ``kubernetes`` (its import cost is paid only on real-cluster
contexts)."""
