"""The simulator's network: addresses for nodes, pods and services (IPAM), kube-proxy, ingress."""
