"""``create configmap`` and ``create secret generic|tls|docker-registry``: objects holding
data from literals, files, directories and env files."""

from __future__ import annotations

from pykctl.cli.command import Help, Invocation, KCommand, KGroup
from pykctl.cli.commands.create import generator
from pykctl.cli.flags import BOOL, STRING_ARRAY, STRING_SLICE, Flag
from pykctl.ops import generators

APPEND_HASH_SECRET = Flag("append-hash", BOOL, usage="Append a hash of the secret to its name.")

CONFIGMAP = generator.target(
    "", "v1", "configmaps", "ConfigMap", True, "failed to create configmap: "
)
SECRET = generator.target("", "v1", "secrets", "Secret", True, "failed to create secret ")


def _configmap(request: generator.Request) -> generators.Obj:
    flags = request.flags
    return generators.configmap(
        request.name,
        request.namespace,
        flags["from_file"],
        flags["from_literal"],
        flags["from_env_file"],
        flags["append_hash"],
    )


def run_configmap(inv: Invocation) -> int:
    return generator.run(inv, CONFIGMAP, _configmap)


configmap = KCommand(
    "configmap",
    run_configmap,
    Help(
        use="configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]",
        short="Create a config map from a local file, directory or literal value",
        long="""Create a config map based on a file, directory, or specified literal value.

 A single config map may package one or more key/value pairs.

 When creating a config map based on a file, the key will default to the basename of the file, and the value will default to the file content.  If the basename is an invalid key, you may specify an alternate key.

 When creating a config map based on a directory, each file whose basename is a valid key in the directory will be packaged into the config map.  Any directory entries except regular files are ignored (e.g. subdirectories, symlinks, devices, pipes, etc).""",
        example="""# Create a new config map named my-config based on folder bar
pykctl create configmap my-config --from-file=path/to/bar

# Create a new config map named my-config with specified keys instead of file basenames on disk
pykctl create configmap my-config --from-file=key1=/path/to/bar/file1.txt --from-file=key2=/path/to/bar/file2.txt

# Create a new config map named my-config with key1=config1 and key2=config2
pykctl create configmap my-config --from-literal=key1=config1 --from-literal=key2=config2

# Create a new config map named my-config with key=value pairs from an env file
pykctl create configmap my-config --from-env-file=path/to/bar.env""",
    ),
    generator.flags(
        Flag("append-hash", BOOL, usage="Append a hash of the configmap to its name."),
        Flag(
            "from-env-file",
            STRING_SLICE,
            usage="Specify the path to a file to read lines of key=val pairs to create a configmap.",
        ),
        Flag(
            "from-file",
            STRING_SLICE,
            usage="Key file can be specified using its file path, in which case file basename will be used as configmap key, or optionally with a key and file path, in which case the given key will be used.  Specifying a directory will iterate each named file in the directory whose basename is a valid configmap key.",
        ),
        Flag(
            "from-literal",
            STRING_ARRAY,
            usage="Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)",
        ),
    ),
    aliases=["cm"],
)


def _generic(request: generator.Request) -> generators.Obj:
    flags = request.flags
    return generators.secret_generic(
        request.name,
        request.namespace,
        flags["type"],
        flags["from_file"],
        flags["from_literal"],
        flags["from_env_file"],
        flags["append_hash"],
    )


def run_generic(inv: Invocation) -> int:
    return generator.run(inv, SECRET, _generic)


generic = KCommand(
    "generic",
    run_generic,
    Help(
        use="generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]",
        short="Create a secret from a local file, directory, or literal value",
        long="""Create a secret based on a file, directory, or specified literal value.

 A single secret may package one or more key/value pairs.

 When creating a secret based on a file, the key will default to the basename of the file, and the value will default to the file content. If the basename is an invalid key or you wish to chose your own, you may specify an alternate key.

 When creating a secret based on a directory, each file whose basename is a valid key in the directory will be packaged into the secret. Any directory entries except regular files are ignored (e.g. subdirectories, symlinks, devices, pipes, etc).""",
        example="""# Create a new secret named my-secret with keys for each file in folder bar
pykctl create secret generic my-secret --from-file=path/to/bar

# Create a new secret named my-secret with specified keys instead of names on disk
pykctl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-file=ssh-publickey=path/to/id_rsa.pub

# Create a new secret named my-secret with key1=supersecret and key2=topsecret
pykctl create secret generic my-secret --from-literal=key1=supersecret --from-literal=key2=topsecret

# Create a new secret named my-secret using a combination of a file and a literal
pykctl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-literal=passphrase=topsecret

# Create a new secret named my-secret from env files
pykctl create secret generic my-secret --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env""",
    ),
    generator.flags(
        APPEND_HASH_SECRET,
        Flag(
            "from-env-file",
            STRING_SLICE,
            usage="Specify the path to a file to read lines of key=val pairs to create a secret.",
        ),
        Flag(
            "from-file",
            STRING_SLICE,
            usage="Key files can be specified using their file path, in which case a default name will be given to them, or optionally with a name and file path, in which case the given name will be used.  Specifying a directory will iterate each named file in the directory that is a valid secret key.",
        ),
        Flag(
            "from-literal",
            STRING_ARRAY,
            usage="Specify a key and literal value to insert in secret (i.e. mykey=somevalue)",
        ),
        Flag("type", usage="The type of secret to create"),
    ),
)


def _tls(request: generator.Request) -> generators.Obj:
    flags = request.flags
    return generators.secret_tls(
        request.name, request.namespace, flags["cert"], flags["key"], flags["append_hash"]
    )


def run_tls(inv: Invocation) -> int:
    return generator.run(inv, SECRET, _tls)


tls = KCommand(
    "tls",
    run_tls,
    Help(
        use="tls NAME --cert=path/to/cert/file --key=path/to/key/file [--dry-run=server|client|none]",
        short="Create a TLS secret",
        long="""Create a TLS secret from the given public/private key pair.

 The public/private key pair must exist beforehand. The public key certificate must be .PEM encoded and match the given private key.""",
        example="""# Create a new TLS secret named tls-secret with the given key pair
pykctl create secret tls tls-secret --cert=path/to/tls.crt --key=path/to/tls.key""",
    ),
    generator.flags(
        APPEND_HASH_SECRET,
        Flag("cert", usage="Path to PEM encoded public key certificate."),
        Flag("key", usage="Path to private key associated with given certificate."),
    ),
)


def _docker_registry(request: generator.Request) -> generators.Obj:
    flags = request.flags
    return generators.secret_docker_registry(
        request.name,
        request.namespace,
        flags["docker_username"],
        flags["docker_password"],
        flags["docker_email"],
        flags["docker_server"],
        flags["from_file"],
        flags["append_hash"],
    )


def run_docker_registry(inv: Invocation) -> int:
    return generator.run(inv, SECRET, _docker_registry)


docker_registry = KCommand(
    "docker-registry",
    run_docker_registry,
    Help(
        use="docker-registry NAME --docker-username=user --docker-password=password --docker-email=email [--docker-server=string] [--from-file=[key=]source] [--dry-run=server|client|none]",
        short="Create a secret for use with a Docker registry",
        long=(
            "Create a new secret for use with Docker registries.\n        \n"
            "        Dockercfg secrets are used to authenticate against Docker registries.\n"
            "        \n"
            "        When using the Docker command line to push images, you can authenticate to a "
            "given registry by running:\n"
            "        '$ docker login DOCKER_REGISTRY_SERVER --username=DOCKER_USER "
            "--password=DOCKER_PASSWORD --email=DOCKER_EMAIL'.\n"
            "        \n"
            " That produces a ~/.dockercfg file that is used by subsequent 'docker push' and "
            "'docker pull' commands to authenticate to the registry. The email address is "
            "optional.\n\n"
            "        When creating applications, you may have a Docker registry that requires "
            "authentication.  In order for the\n"
            "        nodes to pull images on your behalf, they must have the credentials.  You can "
            "provide this information\n"
            "        by creating a dockercfg secret and attaching it to your service account."
        ),
        example="""# If you do not already have a .dockercfg file, create a dockercfg secret directly
pykctl create secret docker-registry my-secret --docker-server=DOCKER_REGISTRY_SERVER --docker-username=DOCKER_USER --docker-password=DOCKER_PASSWORD --docker-email=DOCKER_EMAIL

# Create a new secret named my-secret from ~/.docker/config.json
pykctl create secret docker-registry my-secret --from-file=path/to/.docker/config.json""",
    ),
    generator.flags(
        APPEND_HASH_SECRET,
        Flag("docker-email", usage="Email for Docker registry"),
        Flag("docker-password", usage="Password for Docker registry authentication"),
        Flag(
            "docker-server",
            default="https://index.docker.io/v1/",
            usage="Server location for Docker registry",
        ),
        Flag("docker-username", usage="Username for Docker registry authentication"),
        Flag(
            "from-file",
            STRING_SLICE,
            usage="Key files can be specified using their file path, in which case a default name of .dockerconfigjson will be given to them, or optionally with a name and file path, in which case the given name will be used. Specifying a directory will iterate each named file in the directory that is a valid secret key. For this command, the key should always be .dockerconfigjson.",
        ),
    ),
)

secret = KGroup(
    "secret",
    Help(
        use="secret (docker-registry | generic | tls)",
        short="Create a secret using a specified subcommand",
        long="""Create a secret with specified type.

 A docker-registry type secret is for accessing a container registry.

 A generic type secret indicate an Opaque secret type.

 A tls type secret holds TLS certificate and its associated key.""",
    ),
    commands=[docker_registry, generic, tls],
)
