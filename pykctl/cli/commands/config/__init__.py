"""``pykctl config``: read and change kubeconfig files, exactly as ``kubectl config`` does."""

from __future__ import annotations

from pykctl.cli.command import Entry, Help, KGroup

_M = "pykctl.cli.commands.config"

HELP = Help(
    use="config SUBCOMMAND",
    short="Modify kubeconfig files",
    long="""Modify kubeconfig files using subcommands like "pykctl config set current-context my-context".

 The loading order follows these rules:

  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes place.
  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for your system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When a value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the last file in the list.
  3.  Otherwise, ${HOME}/.kube/config is used and no merging takes place.""",
)

config = KGroup(
    "config",
    HELP,
    entries=[
        Entry("current-context", f"{_M}.contexts:current_context", "Display the current-context"),
        Entry(
            "delete-cluster",
            f"{_M}.clusters:delete_cluster",
            "Delete the specified cluster from the kubeconfig",
        ),
        Entry(
            "delete-context",
            f"{_M}.contexts:delete_context",
            "Delete the specified context from the kubeconfig",
        ),
        Entry(
            "delete-user",
            f"{_M}.users:delete_user",
            "Delete the specified user from the kubeconfig",
        ),
        Entry(
            "get-clusters",
            f"{_M}.clusters:get_clusters",
            "Display clusters defined in the kubeconfig",
        ),
        Entry("get-contexts", f"{_M}.contexts:get_contexts", "Describe one or many contexts"),
        Entry("get-users", f"{_M}.users:get_users", "Display users defined in the kubeconfig"),
        Entry(
            "rename-context",
            f"{_M}.contexts:rename_context",
            "Rename a context from the kubeconfig file",
        ),
        Entry(
            "set", f"{_M}.properties:set_property", "Set an individual value in a kubeconfig file"
        ),
        Entry("set-cluster", f"{_M}.clusters:set_cluster", "Set a cluster entry in kubeconfig"),
        Entry("set-context", f"{_M}.contexts:set_context", "Set a context entry in kubeconfig"),
        Entry("set-credentials", f"{_M}.users:set_credentials", "Set a user entry in kubeconfig"),
        Entry(
            "unset",
            f"{_M}.properties:unset_property",
            "Unset an individual value in a kubeconfig file",
        ),
        Entry(
            "use-context",
            f"{_M}.contexts:use_context",
            "Set the current-context in a kubeconfig file",
            aliases=("use",),
        ),
        Entry(
            "view",
            f"{_M}.view:view",
            "Display merged kubeconfig settings or a specified kubeconfig file",
        ),
    ],
)
