"""kubectl's global flags (``kubectl options``) and the values a command line gave them.

They are accepted before, between or after command words, as in kubectl. Flags pykctl takes
for compatibility but that have no effect here (profiling, klog tuning) are listed too, so that
scripts passing them keep working.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from pykctl.cli.flags import BOOL, DURATION, INT, STRING, STRING_ARRAY, Flag


def _cache_dir() -> str:
    return os.path.join(os.path.expanduser("~"), ".kube", "cache")


GLOBAL_FLAGS: list[Flag] = [
    Flag(
        "as",
        STRING,
        usage="Username to impersonate for the operation. User could be a regular user or a service account in a namespace.",
        dest="as_user",
    ),
    Flag(
        "as-group",
        STRING_ARRAY,
        usage="Group to impersonate for the operation, this flag can be repeated to specify multiple groups.",
    ),
    Flag("as-uid", STRING, usage="UID to impersonate for the operation."),
    Flag(
        "as-user-extra",
        STRING_ARRAY,
        usage="User extras to impersonate for the operation, this flag can be repeated to specify multiple values for the same key.",
    ),
    Flag("cache-dir", STRING, usage="Default cache directory", help_default="__cache_dir__"),
    Flag(
        "certificate-authority", STRING, usage="Path to a cert file for the certificate authority"
    ),
    Flag("client-certificate", STRING, usage="Path to a client certificate file for TLS"),
    Flag("client-key", STRING, usage="Path to a client key file for TLS"),
    Flag("cluster", STRING, usage="The name of the kubeconfig cluster to use"),
    Flag("context", STRING, usage="The name of the kubeconfig context to use"),
    Flag(
        "disable-compression",
        BOOL,
        usage="If true, opt-out of response compression for all requests to the server",
    ),
    Flag(
        "insecure-skip-tls-verify",
        BOOL,
        usage="If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
    ),
    Flag("kubeconfig", STRING, usage="Path to the kubeconfig file to use for CLI requests."),
    Flag(
        "kuberc",
        STRING,
        usage="Path to the kuberc file to use for preferences. This can be disabled by exporting KUBECTL_KUBERC=false feature gate or turning off the feature KUBERC=off.",
    ),
    Flag(
        "log-flush-frequency",
        DURATION,
        default=5.0,
        usage="Maximum number of seconds between log flushes",
        help_default="5s",
    ),
    Flag("match-server-version", BOOL, usage="Require server version to match client version"),
    Flag(
        "namespace",
        STRING,
        shorthand="n",
        usage="If present, the namespace scope for this CLI request",
    ),
    Flag("password", STRING, usage="Password for basic authentication to the API server"),
    Flag(
        "profile",
        STRING,
        default="none",
        usage="Name of profile to capture. One of (none|cpu|heap|goroutine|threadcreate|block|mutex|trace)",
    ),
    Flag(
        "profile-output",
        STRING,
        default="profile.pprof",
        usage="Name of the file to write the profile to",
    ),
    Flag("proxy-url", STRING, usage="Proxy URL to use for requests to the API server"),
    Flag(
        "request-timeout",
        STRING,
        default="0",
        usage="The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.",
    ),
    Flag(
        "server", STRING, shorthand="s", usage="The address and port of the Kubernetes API server"
    ),
    Flag(
        "tls-server-name",
        STRING,
        usage="Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used",
    ),
    Flag("token", STRING, usage="Bearer token for authentication to the API server"),
    Flag("user", STRING, usage="The name of the kubeconfig user to use"),
    Flag("username", STRING, usage="Username for basic authentication to the API server"),
    Flag("v", INT, shorthand="v", usage="number for the log level verbosity"),
    Flag(
        "vmodule",
        STRING,
        usage="comma-separated list of pattern=N settings for file-filtered logging (only works for the default text log format)",
        help_default="",
    ),
    Flag(
        "warnings-as-errors",
        BOOL,
        usage="Treat warnings received from the server as errors and exit with a non-zero exit code",
    ),
]

_DEFAULTS = {flag.dest: flag.default for flag in GLOBAL_FLAGS}


@dataclass
class GlobalOptions:
    """Global flag values; ``given`` names the flags that appeared on the command line."""

    values: dict[str, Any] = field(default_factory=lambda: dict(_DEFAULTS))
    given: set[str] = field(default_factory=set)

    def set(self, dest: str, value: Any) -> None:
        self.values[dest] = value
        self.given.add(dest)

    def get(self, dest: str) -> Any:
        return self.values.get(dest, _DEFAULTS.get(dest))

    @property
    def kubeconfig(self) -> str:
        return str(self.get("kubeconfig") or "")

    @property
    def context(self) -> str:
        return str(self.get("context") or "")

    @property
    def cluster(self) -> str:
        return str(self.get("cluster") or "")

    @property
    def user(self) -> str:
        return str(self.get("user") or "")

    @property
    def namespace(self) -> str:
        return str(self.get("namespace") or "")

    @property
    def verbosity(self) -> int:
        return int(self.get("v") or 0)

    def cache_dir(self) -> str:
        return str(self.get("cache_dir") or _cache_dir())
