"""The bundled simulator: a local Kubernetes cluster in pure Python (daemon, API server, store,
controllers, kubelet)."""
