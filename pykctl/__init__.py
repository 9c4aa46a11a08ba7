"""pykctl: kubectl in Python, with a Kubernetes cluster in the box."""

__version__ = "0.1.0"

# The kubectl release whose behaviour pykctl reproduces.
KUBECTL_COMPAT_VERSION = "v1.37.1"
