"""kubeconfig files: loading and merging, contexts, writing changes back, keyring credentials."""
