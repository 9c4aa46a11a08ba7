"""User commands: get-users, set-credentials, delete-user.

``set-credentials --keyring`` is pykctl's own: the token goes to the OS keyring and the user
entry gets an exec credential plugin that reads it back (see pykctl.kubeconfig.credentials), so the
kubeconfig never holds the secret and still works with the real kubectl.
"""

from __future__ import annotations

import os

from backends.objects.gofmt import quote
from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.config.clusters import read_or_none, set_field, stat_for_embedding
from pykctl.cli.commands.config.common import go_list, starting_config
from pykctl.cli.errors import CommandError, UsageError
from pykctl.cli.flags import BOOL, STRING_ARRAY, STRING_SLICE, Flag
from pykctl.kubeconfig.loader import modify_config
from pykctl.kubeconfig.model import Entry


def run_get_users(inv: Invocation) -> int:
    _, config = starting_config(inv)
    inv.stdout.write("NAME\n" + "".join(name + "\n" for name in sorted(config.users)))
    return 0


get_users = KCommand(
    "get-users",
    run_get_users,
    Help(
        use="get-users",
        short="Display users defined in the kubeconfig",
        long="Display users defined in the kubeconfig.",
        example="""# List the users that pykctl knows about
pykctl config get-users""",
        flags_in_use_line=True,
    ),
)

SET_CREDENTIALS_FLAGS = [
    Flag("auth-provider", usage="Auth provider for the user entry in kubeconfig"),
    Flag("auth-provider-arg", STRING_SLICE, usage="'key=value' arguments for the auth provider"),
    Flag(
        "client-certificate",
        usage="Path to client-certificate file for the user entry in kubeconfig",
    ),
    Flag("client-key", usage="Path to client-key file for the user entry in kubeconfig"),
    Flag("embed-certs", BOOL, usage="Embed client cert/key for the user entry in kubeconfig"),
    Flag(
        "exec-api-version",
        usage="API version of the exec credential plugin for the user entry in kubeconfig",
    ),
    Flag(
        "exec-arg",
        STRING_SLICE,
        usage="New arguments for the exec credential plugin command for the user entry in kubeconfig",
    ),
    Flag(
        "exec-command",
        usage="Command for the exec credential plugin for the user entry in kubeconfig",
    ),
    Flag(
        "exec-env",
        STRING_ARRAY,
        usage="'key=value' environment values for the exec credential plugin",
    ),
    Flag(
        "exec-interactive-mode",
        usage="InteractiveMode of the exec credentials plugin for the user entry in kubeconfig",
    ),
    Flag(
        "exec-provide-cluster-info",
        BOOL,
        usage="ProvideClusterInfo of the exec credentials plugin for the user entry in kubeconfig",
    ),
    Flag(
        "keyring",
        BOOL,
        usage="(pykctl only) Keep --token in the OS keyring; the kubeconfig gets an exec plugin that reads it back, never the token itself",
    ),
    Flag("password", usage="password for the user entry in kubeconfig"),
    Flag("token", usage="token for the user entry in kubeconfig"),
    Flag("username", usage="username for the user entry in kubeconfig"),
]

INTERACTIVE_MODES = ("IfAvailable", "Never", "Always")


def parse_pairs(items: list[str], what: str) -> tuple[dict[str, str], list[str]]:
    """``key=value`` settings and ``key-`` removals, in order (later duplicates win)."""
    settings: dict[str, str] = {}
    removals: list[str] = []
    for item in items:
        if "=" in item:
            key, _, value = item.partition("=")
            if key:
                settings[key] = value
                continue
        elif item.endswith("-") and len(item) > 1:
            removals.append(item[:-1])
            continue
        raise CommandError(f"invalid {what} format: {item}")
    return settings, removals


def _set_file_or_data(user: Entry, inv: Invocation, flag: str, key: str) -> None:
    path = inv.flags[flag]
    if inv.flags["embed_certs"]:
        set_field(user, f"{key}-data", read_or_none(path))
        user.pop(key, None)
    else:
        user[key] = os.path.abspath(path)
        user.pop(f"{key}-data", None)


def modify_user(
    user: Entry,
    inv: Invocation,
    env: tuple[dict[str, str], list[str]],
    provider_args: tuple[dict[str, str], list[str]],
) -> Entry:
    """set-credentials' changes to one user entry (kubectl's modifyAuthInfo)."""
    user = dict(user)
    given = inv.changed
    flags = inv.flags
    if "client_certificate" in given:
        _set_file_or_data(user, inv, "client_certificate", "client-certificate")
    if "client_key" in given:
        _set_file_or_data(user, inv, "client_key", "client-key")
    set_token = set_basic = False
    if "token" in given:
        set_field(user, "token", flags["token"])
        set_token = bool(flags["token"])
    for dest in ("username", "password"):
        if dest in given:
            set_field(user, dest, flags[dest])
            set_basic = set_basic or bool(flags[dest])
    if set_token or set_basic:
        if not set_token:
            user.pop("token", None)
        if not set_basic:
            user.pop("username", None)
            user.pop("password", None)

    if "auth_provider" in given:
        provider = user.get("auth-provider")
        if provider is None or provider.get("name", "") != flags["auth_provider"]:
            user["auth-provider"] = {"name": flags["auth_provider"]}
    if "auth-provider" in user:
        provider = dict(user["auth-provider"])
        config = dict(provider.get("config") or {})
        settings, removals = provider_args
        for key in removals:
            config.pop(key, None)
        config.update(settings)
        provider["config"] = config
        user["auth-provider"] = provider

    if "exec_command" in given:
        if "exec" not in user:
            user["exec"] = {"command": flags["exec_command"]}
        else:
            user["exec"] = {**user["exec"], "command": flags["exec_command"], "args": None}
    if "exec" in user:
        user["exec"] = _modify_exec(dict(user["exec"]), inv, env)
    return user


def _modify_exec(
    exec_config: Entry, inv: Invocation, env: tuple[dict[str, str], list[str]]
) -> Entry:
    given = inv.changed
    flags = inv.flags
    if "exec_api_version" in given:
        set_field(exec_config, "apiVersion", flags["exec_api_version"])
    if flags["exec_arg"]:
        exec_config["args"] = list(flags["exec_arg"])
    if "exec_interactive_mode" in given:
        exec_config["interactiveMode"] = flags["exec_interactive_mode"]
    if "exec_provide_cluster_info" in given:
        set_field(exec_config, "provideClusterInfo", flags["exec_provide_cluster_info"])
    settings, removals = env
    if "exec_env" in given and removals:
        exec_config["env"] = [
            v for v in exec_config.get("env") or [] if v.get("name", "") not in removals
        ]
    if settings:
        variables = [dict(v) for v in exec_config.get("env") or []]
        for name, value in settings.items():
            for variable in variables:
                if variable.get("name", "") == name:
                    set_field(variable, "value", value)
                    break
            else:
                variables.append({"name": name, **({"value": value} if value else {})})
        exec_config["env"] = variables
    return exec_config


def run_set_credentials(inv: Invocation) -> int:
    if len(inv.args) != 1:
        inv.stdout.write(inv.help_page())
        raise CommandError(f"unexpected args: {go_list(inv.args)}")
    try:
        provider_args = parse_pairs(inv.flags["auth_provider_arg"], "auth-provider-arg")
        env = parse_pairs(inv.flags["exec_env"], "exec-env")
    except CommandError:
        inv.stdout.write(inv.help_page())
        raise
    name = inv.args[0]
    if not name:
        raise CommandError("you must specify a non-empty user name")
    flags = inv.flags
    if flags["token"] and (flags["username"] or flags["password"]):
        raise CommandError(
            "you cannot specify more than one authentication method at the same time: "
            "--token, --username/--password"
        )
    if flags["embed_certs"]:
        if not flags["client_certificate"] and not flags["client_key"]:
            raise CommandError("you must specify a --client-certificate or --client-key to embed")
        if flags["client_certificate"]:
            stat_for_embedding(flags["client_certificate"], "client-certificate")
        if flags["client_key"]:
            stat_for_embedding(flags["client_key"], "client-key")
    if (
        "exec_interactive_mode" in inv.changed
        and flags["exec_interactive_mode"] not in INTERACTIVE_MODES
    ):
        raise CommandError("invalid interactive mode type, can be only IfAvailable, Never, Always")
    if flags["keyring"] and not flags["token"]:
        raise UsageError("--keyring needs a non-empty --token", inv.command_path)

    options, config = starting_config(inv)
    user = modify_user(config.users.get(name, {}), inv, env, provider_args)
    if flags["keyring"]:
        from pykctl.kubeconfig import credentials

        user = credentials.store_token(user, name, user.pop("token"))
    config.users[name] = user
    modify_config(options, config)
    inv.out(f"User {quote(name)} set.")
    return 0


set_credentials = KCommand(
    "set-credentials",
    run_set_credentials,
    Help(
        use="set-credentials NAME [--client-certificate=path/to/certfile] [--client-key=path/to/keyfile] [--token=bearer_token] [--username=basic_user] [--password=basic_password] [--auth-provider=provider_name] [--auth-provider-arg=key=value] [--exec-command=exec_command] [--exec-api-version=exec_api_version] [--exec-arg=arg] [--exec-env=key=value]",
        short="Set a user entry in kubeconfig",
        long="\n".join(
            [
                "Set a user entry in kubeconfig.",
                "",
                " Specifying a name that already exists will merge new fields on top of existing values.",
                "",
                *(
                    f"        {line}"  # kubectl's text keeps this block indented, blank lines too
                    for line in [
                        "Client-certificate flags:",
                        "--client-certificate=certfile --client-key=keyfile",
                        "",
                        "Bearer token flags:",
                        "--token=bearer_token",
                        "",
                        "Basic auth flags:",
                        "--username=basic_user --password=basic_password",
                        "",
                    ]
                ),
                " Bearer token and basic auth are mutually exclusive.",
                "",
                " With --keyring (pykctl only), the token is kept in the OS keyring instead of the kubeconfig.",
            ]
        ),
        example="""# Set only the "client-key" field on the "cluster-admin"
# entry, without touching other values
pykctl config set-credentials cluster-admin --client-key=~/.kube/admin.key

# Set basic auth for the "cluster-admin" entry
pykctl config set-credentials cluster-admin --username=admin --password=uXFGweU9l35qcif

# Embed client certificate data in the "cluster-admin" entry
pykctl config set-credentials cluster-admin --client-certificate=~/.kube/admin.crt --embed-certs=true

# Enable the Google Compute Platform auth provider for the "cluster-admin" entry
pykctl config set-credentials cluster-admin --auth-provider=gcp

# Enable the OpenID Connect auth provider for the "cluster-admin" entry with additional arguments
pykctl config set-credentials cluster-admin --auth-provider=oidc --auth-provider-arg=client-id=foo --auth-provider-arg=client-secret=bar

# Remove the "client-secret" config value for the OpenID Connect auth provider for the "cluster-admin" entry
pykctl config set-credentials cluster-admin --auth-provider=oidc --auth-provider-arg=client-secret-

# Enable new exec auth plugin for the "cluster-admin" entry
pykctl config set-credentials cluster-admin --exec-command=/path/to/the/executable --exec-api-version=client.authentication.k8s.io/v1beta1

# Enable new exec auth plugin for the "cluster-admin" entry with interactive mode
pykctl config set-credentials cluster-admin --exec-command=/path/to/the/executable --exec-api-version=client.authentication.k8s.io/v1beta1 --exec-interactive-mode=Never

# Define new exec auth plugin arguments for the "cluster-admin" entry
pykctl config set-credentials cluster-admin --exec-arg=arg1 --exec-arg=arg2

# Create or update exec auth plugin environment variables for the "cluster-admin" entry
pykctl config set-credentials cluster-admin --exec-env=key1=val1 --exec-env=key2=val2

# Remove exec auth plugin environment variables for the "cluster-admin" entry
pykctl config set-credentials cluster-admin --exec-env=var-to-remove-

# Keep the token of the "ci" entry in the OS keyring (pykctl only)
pykctl config set-credentials ci --token=$TOKEN --keyring""",
    ),
    SET_CREDENTIALS_FLAGS,
)


def run_delete_user(inv: Invocation) -> int:
    options, config = starting_config(inv)
    if len(inv.args) != 1:
        raise UsageError("user to delete is required", inv.command_path)
    name = inv.args[0]
    destination = options.default_file()
    if name not in config.users:
        raise CommandError(f"cannot delete user {name}, not in {destination}")
    from pykctl.kubeconfig import credentials

    credentials.forget_token(config.users[name])
    del config.users[name]
    modify_config(options, config)
    inv.out(f"deleted user {name} from {destination}")
    return 0


delete_user = KCommand(
    "delete-user",
    run_delete_user,
    Help(
        use="delete-user NAME",
        short="Delete the specified user from the kubeconfig",
        long="Delete the specified user from the kubeconfig.",
        example="""# Delete the minikube user
pykctl config delete-user minikube""",
    ),
)
