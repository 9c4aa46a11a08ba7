"""``pykctl set subject``: add users, groups and service accounts to RoleBindings and
ClusterRoleBindings.

As kubectl's SubjectOptions: the objects are read first (with ``--local`` only from files; a
resource argument is then kubectl's "--filename when --local" error), then the checks
(``--all`` with ``-l``, at least one subject, ``NAMESPACE:NAME`` service accounts, whose
namespace a ClusterRoleBinding needs); the subjects not yet bound are appended, users then
groups then service accounts, each sorted and unique (a service account without a namespace
gets the current one). A binding that already has them all is left alone, silently. The patch
follows :mod:`pykctl.cli.commands.set.common`.
"""

from __future__ import annotations

from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    ObjectPrinter,
    dry_run_strategy,
    field_manager_flag,
    print_flags,
)
from pykctl.cli.commands.set.common import (
    ALL_WITH_SELECTOR,
    ObjectError,
    Patcher,
    check_local_dry_run,
    group_of,
    require,
    target_spec,
)
from pykctl.cli.flags import BOOL, STRING_ARRAY, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags, selector_flag
from pykctl.resources.builder import Info

Obj = dict[str, Any]
RBAC = "rbac.authorization.k8s.io"
_BINDINGS = ("RoleBinding", "ClusterRoleBinding")


def _is_binding(obj: Obj, kinds: tuple[str, ...] = _BINDINGS) -> bool:
    return group_of(obj) == RBAC and obj.get("kind") in kinds


def service_account_errors(accounts: list[str], infos: list[Info]) -> list[str]:
    """kubectl's checks of ``--serviceaccount`` values (the first failure only)."""
    for account in accounts:
        tokens = account.split(":")
        if len(tokens) != 2 or not tokens[1]:
            return ["serviceaccount must be <namespace>:<name>"]
        if not tokens[0] and any(
            _is_binding(info.obj or {}, ("ClusterRoleBinding",)) for info in infos
        ):
            return ["serviceaccount must be <namespace>:<name>, namespace must be specified"]
    return []


def subjects(users: list[str], groups: list[str], accounts: list[str], namespace: str) -> list[Obj]:
    """The subjects the flags name, in kubectl's order."""
    found: list[Obj] = [
        {"kind": kind, "apiGroup": RBAC, "name": name}
        for kind, names in (("User", users), ("Group", groups))
        for name in sorted(set(names))
    ]
    for account in sorted(set(accounts)):
        account_namespace, _, name = account.partition(":")
        found.append(
            {"kind": "ServiceAccount", "name": name, "namespace": account_namespace or namespace}
        )
    return found


def _key(subject: Obj) -> tuple[str, str, str, str]:
    return (
        str(subject.get("kind") or ""),
        str(subject.get("apiGroup") or ""),
        str(subject.get("name") or ""),
        str(subject.get("namespace") or ""),
    )


def add_subjects(obj: Obj, wanted: list[Obj]) -> Obj | None:
    """``obj`` (edited in place) with the subjects it lacks appended; None when it lacks none."""
    if not _is_binding(obj):
        raise ObjectError("setting subjects is only supported for RoleBinding/ClusterRoleBinding")
    existing = list(obj.get("subjects") or [])
    present = {_key(subject) for subject in existing}
    missing = [subject for subject in wanted if _key(subject) not in present]
    if not missing:
        return None
    obj["subjects"] = existing + missing
    return obj


def run(inv: Invocation) -> int:
    from pykctl.cli.commands.objects import local_namespace

    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    local = flags["local"]
    patcher = Patcher(
        inv,
        printer,
        dry_run,
        local,
        "subjects updated",
        "failed to patch subjects to rolebinding: ",
    )
    users, groups, accounts = flags["user"], flags["group"], flags["serviceaccount"]

    def check(infos: list[Info]) -> None:
        require(
            [
                *check_local_dry_run(local, dry_run),
                *([ALL_WITH_SELECTOR] if flags["all"] and flags["selector"] else []),
                *(
                    ["you must specify at least one value of user, group or serviceaccount"]
                    if not users and not groups and not accounts
                    else []
                ),
            ]
        )
        require(service_account_errors(accounts, infos))

    namespace = local_namespace(inv)[0]
    wanted = subjects(users, groups, accounts, namespace)
    return patcher.run(
        target_spec(inv, list(inv.args), local),
        lambda obj: add_subjects(obj, wanted),
        check,
    )


HELP = Help(
    use="subject (-f FILENAME | TYPE NAME) [--user=username] [--group=groupname] "
    "[--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]",
    short="Update the user, group, or service account in a role binding or cluster role binding",
    long="Update the user, group, or service account in a role binding or cluster role binding.",
    example="""# Update a cluster role binding for serviceaccount1
pykctl set subject clusterrolebinding admin --serviceaccount=namespace:serviceaccount1

# Update a role binding for user1, user2, and group1
pykctl set subject rolebinding admin --user=user1 --user=user2 --group=group1

# Print the result (in YAML format) of updating rolebinding subjects from a local, without hitting the server
pykctl create rolebinding admin --role=admin --user=admin -o yaml --dry-run=client | pykctl set subject --local -f - --user=foo -o yaml""",
)

FLAGS = [
    Flag(
        "all",
        BOOL,
        usage="Select all resources, in the namespace of the specified resource types",
    ),
    dry_run_flag(),
    field_manager_flag("kubectl-set"),
    *filename_flags("Filename, directory, or URL to files the resource to update the subjects"),
    Flag("group", STRING_ARRAY, usage="Groups to bind to the role"),
    Flag("local", BOOL, usage="If true, set subject will NOT contact api-server but run locally."),
    selector_flag(),
    Flag("serviceaccount", STRING_ARRAY, usage="Service accounts to bind to the role"),
    Flag("user", STRING_ARRAY, usage="Usernames to bind to the role"),
    *print_flags(),
]

subject = KCommand("subject", run, HELP, FLAGS)
