"""Cluster commands: get-clusters, set-cluster, delete-cluster."""

from __future__ import annotations

import os

from backends.objects.gofmt import quote
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.config.common import require_args_or_help, starting_config
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import BOOL, Flag
from pykctl.kubeconfig.loader import modify_config
from pykctl.kubeconfig.model import Entry


def run_get_clusters(inv: Invocation) -> int:
    _, config = starting_config(inv)
    inv.stdout.write("NAME\n" + "".join(name + "\n" for name in sorted(config.clusters)))
    return 0


get_clusters = KCommand(
    "get-clusters",
    run_get_clusters,
    Help(
        use="get-clusters",
        short="Display clusters defined in the kubeconfig",
        long="Display clusters defined in the kubeconfig.",
        example="""# List the clusters that pykctl knows about
pykctl config get-clusters""",
        flags_in_use_line=True,
    ),
)

SET_CLUSTER_FLAGS = [
    Flag(
        "certificate-authority",
        usage="Path to certificate-authority file for the cluster entry in kubeconfig",
    ),
    Flag("embed-certs", BOOL, usage="embed-certs for the cluster entry in kubeconfig"),
    Flag(
        "insecure-skip-tls-verify",
        BOOL,
        usage="insecure-skip-tls-verify for the cluster entry in kubeconfig",
    ),
    Flag("proxy-url", usage="proxy-url for the cluster entry in kubeconfig"),
    Flag("server", usage="server for the cluster entry in kubeconfig"),
    Flag("tls-server-name", usage="tls-server-name for the cluster entry in kubeconfig"),
]


def stat_for_embedding(path: str, what: str) -> None:
    """kubectl stats a file before embedding it."""
    try:
        os.stat(path)
    except OSError as err:
        reason = (err.strerror or "").lower()
        raise CommandError(f"could not stat {what} file {path}: stat {path}: {reason}") from None


def read_or_none(path: str) -> bytes | None:
    """File content, or None when it cannot be read (kubectl ignores that error)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def set_field(entry: Entry, key: str, value: object) -> None:
    """Set ``key``, or drop it when the value is Go's zero value (the field is omitempty)."""
    if value in ("", None, False, b""):
        entry.pop(key, None)
    else:
        entry[key] = value


def modify_cluster(cluster: Entry, inv: Invocation) -> Entry:
    """set-cluster's changes to one cluster entry (kubectl's modifyCluster)."""
    cluster = dict(cluster)
    given = inv.changed
    flags = inv.flags
    if "server" in given:
        cluster["server"] = flags["server"]
        if "tls_server_name" not in given:
            cluster.pop("tls-server-name", None)
    if "tls_server_name" in given:
        set_field(cluster, "tls-server-name", flags["tls_server_name"])
    set_field(cluster, "insecure-skip-tls-verify", bool(flags["insecure_skip_tls_verify"]))
    if flags["insecure_skip_tls_verify"]:
        cluster.pop("certificate-authority", None)
        cluster.pop("certificate-authority-data", None)
    if "certificate_authority" in given:
        path = flags["certificate_authority"]
        if flags["embed_certs"]:
            set_field(cluster, "certificate-authority-data", read_or_none(path))
            cluster.pop("insecure-skip-tls-verify", None)
            cluster.pop("certificate-authority", None)
        else:
            path = os.path.abspath(path)
            cluster["certificate-authority"] = path
            cluster.pop("insecure-skip-tls-verify", None)
            cluster.pop("certificate-authority-data", None)
    if "proxy_url" in given:
        set_field(cluster, "proxy-url", flags["proxy_url"])
    return cluster


def run_set_cluster(inv: Invocation) -> int:
    require_args_or_help(inv, 1)
    name = inv.args[0]
    if not name:
        raise CommandError("you must specify a non-empty cluster name")
    ca = inv.flags["certificate_authority"]
    if inv.flags["insecure_skip_tls_verify"] and ca:
        raise CommandError(
            "you cannot specify a certificate authority and insecure mode at the same time"
        )
    if inv.flags["embed_certs"]:
        if not ca:
            raise CommandError("you must specify a --certificate-authority to embed")
        stat_for_embedding(ca, "certificate-authority")
    options, config = starting_config(inv)
    config.clusters[name] = modify_cluster(config.clusters.get(name, {}), inv)
    modify_config(options, config)
    inv.out(f"Cluster {quote(name)} set.")
    return 0


set_cluster = KCommand(
    "set-cluster",
    run_set_cluster,
    Help(
        use="set-cluster NAME [--server=server] [--certificate-authority=path/to/certificate/authority] [--insecure-skip-tls-verify=true] [--tls-server-name=example.com]",
        short="Set a cluster entry in kubeconfig",
        long="""Set a cluster entry in kubeconfig.

 Specifying a name that already exists will merge new fields on top of existing values for those fields.""",
        example="""# Set only the server field on the e2e cluster entry without touching other values
pykctl config set-cluster e2e --server=https://1.2.3.4

# Embed certificate authority data for the e2e cluster entry
pykctl config set-cluster e2e --embed-certs --certificate-authority=~/.kube/e2e/kubernetes.ca.crt

# Disable cert checking for the e2e cluster entry
pykctl config set-cluster e2e --insecure-skip-tls-verify=true

# Set the custom TLS server name to use for validation for the e2e cluster entry
pykctl config set-cluster e2e --tls-server-name=my-cluster-name

# Set the proxy URL for the e2e cluster entry
pykctl config set-cluster e2e --proxy-url=https://1.2.3.4""",
    ),
    SET_CLUSTER_FLAGS,
)


def run_delete_cluster(inv: Invocation) -> int:
    options, config = starting_config(inv)
    if len(inv.args) != 1:
        inv.stdout.write(inv.help_page())
        return 0
    name = inv.args[0]
    destination = options.default_file()
    if name not in config.clusters:
        raise CommandError(f"cannot delete cluster {name}, not in {destination}")
    del config.clusters[name]
    modify_config(options, config)
    inv.out(f"deleted cluster {name} from {destination}")
    return 0


delete_cluster = KCommand(
    "delete-cluster",
    run_delete_cluster,
    Help(
        use="delete-cluster NAME",
        short="Delete the specified cluster from the kubeconfig",
        long="Delete the specified cluster from the kubeconfig.",
        example="""# Delete the minikube cluster
pykctl config delete-cluster minikube""",
    ),
)
