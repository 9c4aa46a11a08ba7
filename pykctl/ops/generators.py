"""The objects ``kubectl create <generator>`` builds, from its flags, before anything is sent.

One function per generator family, each returning the object as a JSON-like dict in the shape of
kubectl's Go struct (a key present means a non-nil Go value, so ``[]`` and ``{}`` matter;
``typed.encode`` then lays it out as Go prints it). Invalid input raises ``GeneratorError``
with kubectl's text (what follows ``error: ``), checked in kubectl's order.

Pure except for the data sources of config maps and secrets (``--from-file``,
``--from-env-file``, ``secret tls --cert/--key``), which are local files read here as kubectl
reads them; nothing here talks to a server.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from backends.objects import gojson
from backends.objects.gofmt import quote

Obj = dict[str, Any]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class GeneratorError(Exception):
    """Bad generator input; ``str()`` is kubectl's message after ``error: ``."""


# --- apimachinery string checks kubectl applies client-side --------------------------------

_CONFIG_MAP_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    """apimachinery ``RegexError`` (its double spaces included)."""
    shown = "".join(f"{' or ' if i else ''}'{e}', " for i, e in enumerate(examples))
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def _chdir_prefix(value: str) -> list[str]:
    if value in (".", ".."):
        return [f"must not be '{value}'"]
    return ["must not start with '..'"] if value.startswith("..") else []


def config_map_key_errors(key: str) -> list[str]:
    """``validation.IsConfigMapKey``."""
    errors = ["must be no more than 253 characters"] if len(key.encode()) > 253 else []
    if not _CONFIG_MAP_KEY.fullmatch(key):
        errors.append(
            _regex_error(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                "[-._a-zA-Z0-9]+",
                "key.name",
                "KEY_NAME",
                "key-name",
            )
        )
    return errors + _chdir_prefix(key)


def env_var_name_errors(name: str) -> list[str]:
    """``validation.IsEnvVarName``."""
    errors = []
    if not _ENV_VAR_NAME.fullmatch(name):
        errors.append(
            _regex_error(
                "a valid environment variable name must consist of alphabetic characters, "
                "digits, '_', '-', or '.', and must not start with a digit",
                "[-._a-zA-Z][-._a-zA-Z0-9]*",
                "my.env-name",
                "MY_ENV.NAME",
                "MyEnvName1",
            )
        )
    return errors + _chdir_prefix(name)


def is_dns1123_subdomain(value: str) -> bool:
    return len(value) <= 253 and bool(_DNS1123_SUBDOMAIN.fullmatch(value))


def port_name_errors(port: str) -> list[str]:
    """``validation.IsValidPortName``."""
    errors = ["must be no more than 15 characters"] if len(port) > 15 else []
    if not re.fullmatch(r"[-a-z0-9]+", port):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", port):
        errors.append("must contain at least one letter (a-z)")
    if "--" in port:
        errors.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def _go_atoi(text: str) -> int | None:
    """``strconv.Atoi`` (64-bit), or None where it fails."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def int_or_string(text: str) -> int | str:
    """``intstr.Parse``: an int32 when the text is one, else the string."""
    if re.fullmatch(r"[+-]?[0-9]+", text) and -(2**31) <= int(text) < 2**31:
        return int(text)
    return text


def _meta(name: str, namespace: str = "", **extra: Any) -> Obj:
    meta: Obj = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta.update({k: v for k, v in extra.items() if v is not None})
    return meta


# --- config maps and secrets -----------------------------------------------------------------


def parse_file_source(source: str) -> tuple[str, str]:
    """``--from-file`` → (key, path): ``path`` (key = basename) or ``key=path``."""
    separators = source.count("=")
    if separators == 0:
        trimmed = source.rstrip("/")
        base = trimmed.rsplit("/", 1)[-1] if trimmed else ("/" if source else ".")
        return base, source
    if separators == 1 and source.startswith("="):
        raise GeneratorError(f"key name for file path {source[1:]} missing")
    if separators == 1 and source.endswith("="):
        raise GeneratorError(f"file path for key name {source[:-1]} missing")
    if separators > 1:
        raise GeneratorError("key names or file paths cannot contain '='")
    key, path = source.split("=")
    return key, path


def parse_literal_source(source: str) -> tuple[str, str]:
    """``--from-literal`` → (key, value); the value may contain ``=``."""
    if source.startswith("=") or "=" not in source:
        raise GeneratorError(f"invalid literal source {source}, expected key=value")
    key, value = source.split("=", 1)
    return key, value


def _stat_error(path: str, err: OSError) -> GeneratorError:
    return GeneratorError(f"error reading {path}: {(err.strerror or str(err)).lower()}")


def _file_entries(source: str) -> list[tuple[str, bytes]]:
    """The (key, content) pairs one ``--from-file`` source contributes, in kubectl's order."""
    key, path = parse_file_source(source)
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as err:
        raise _stat_error(path, err) from None
    if not is_dir:
        return [(key, _read(path))]
    if "=" in source:
        raise GeneratorError("cannot give a key name for a directory path")
    entries = []
    for name in sorted(os.listdir(path)):
        item = os.path.join(path, name)
        if os.path.isfile(item) and not os.path.islink(item):
            entries.append((name, _read(item)))
    return entries


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as err:
        raise GeneratorError(f"open {path}: {(err.strerror or '').lower()}") from None


def env_file_pairs(path: str) -> list[tuple[str, str]]:
    """``--from-env-file``: ``KEY=value`` lines (``#`` comments, blank lines skipped; a bare
    ``KEY`` takes its value from the environment), as kubectl's ``AddFromEnvFile`` reads them."""
    lines = _read(path).split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    pairs = []
    for number, raw in enumerate(lines):
        line = raw.removesuffix(b"\r")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            as_go = "[" + " ".join(str(b) for b in line) + "]"
            raise GeneratorError(
                f"env file {path} contains invalid utf8 bytes at line {number + 1}: {as_go}"
            ) from None
        if number == 0:
            text = text.removeprefix("\ufeff")
        text = text.lstrip(string.whitespace + "\x85\xa0")
        if not text or text.startswith("#"):
            continue
        key, eq, value = text.partition("=")
        errors = env_var_name_errors(key)
        if errors:
            raise GeneratorError(f"{quote(key)} is not a valid key name: {';'.join(errors)}")
        pairs.append((key, value if eq else os.environ.get(key, "")))
    return pairs


def _env_files(paths: Sequence[str], what: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for path in paths:
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError as err:
            raise _stat_error(path, err) from None
        if is_dir:
            raise GeneratorError(f"env {what} file cannot be a directory")
        pairs.extend(env_file_pairs(path))
    return pairs


def _hash_suffix(encoded: str) -> str:
    """kubectl's ``encodeHash``: ten hex digits with vowel-making digits replaced."""
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def configmap(
    name: str,
    namespace: str,
    from_files: Sequence[str] = (),
    literals: Sequence[str] = (),
    env_files: Sequence[str] = (),
    append_hash: bool = False,
) -> Obj:
    """``create configmap``: text data, binary (non-UTF-8) files in ``binaryData``."""
    if env_files and (from_files or literals):
        raise GeneratorError("from-env-file cannot be combined with from-file or from-literal")
    data: dict[str, str] = {}
    binary: dict[str, str] = {}

    def add(key: str, value: str | None, raw: bytes = b"") -> None:
        errors = config_map_key_errors(key)
        if errors:
            raise GeneratorError(
                f"{quote(key)} is not a valid key name for a ConfigMap: " + ",".join(errors)
            )
        for field, existing in (("Data", data), ("BinaryData", binary)):
            if key in existing:
                raise GeneratorError(
                    f'cannot add key "{key}", another key by that name already exists in '
                    f'{field} for ConfigMap "{name}"'
                )
        if value is None:
            binary[key] = base64.b64encode(raw).decode()
        else:
            data[key] = value

    for source in from_files:
        for key, content in _file_entries(source):
            try:
                add(key, content.decode("utf-8"))
            except UnicodeDecodeError:
                add(key, None, content)
    for source in literals:
        add(*parse_literal_source(source))
    for key, value in _env_files(env_files, "config"):
        add(key, value)
    if append_hash:
        hashed: Obj = {"data": data, "kind": "ConfigMap", "name": name}
        if binary:
            hashed["binaryData"] = binary
        name = f"{name}-{_hash_suffix(gojson.dumps(hashed))}"
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(name, namespace),
        "data": data,
        "binaryData": binary,
    }


def _secret(name: str, namespace: str, type_: str, data: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta(name, namespace),
        "data": data,
        "type": type_,
    }


def _with_secret_hash(secret: Obj, append_hash: bool) -> Obj:
    if append_hash:
        meta = secret["metadata"]
        hashed = {
            "data": secret["data"],
            "kind": "Secret",
            "name": meta["name"],
            "type": secret["type"],
        }
        meta["name"] = f"{meta['name']}-{_hash_suffix(gojson.dumps(hashed))}"
    return secret


class _SecretData(dict[str, str]):
    """Secret data being filled: base64 values, kubectl's key checks."""

    def add(self, key: str, value: bytes) -> None:
        errors = config_map_key_errors(key)
        if errors:
            raise GeneratorError(
                f"{quote(key)} is not valid key name for a Secret {';'.join(errors)}"
            )
        if key in self:
            raise GeneratorError(f"cannot add key {key}, another key by that name already exists")
        self[key] = base64.b64encode(value).decode()

    def add_files(self, sources: Iterable[str]) -> None:
        for source in sources:
            for key, content in _file_entries(source):
                self.add(key, content)


def secret_generic(
    name: str,
    namespace: str,
    type_: str = "",
    from_files: Sequence[str] = (),
    literals: Sequence[str] = (),
    env_files: Sequence[str] = (),
    append_hash: bool = False,
) -> Obj:
    """``create secret generic``."""
    if env_files and (from_files or literals):
        raise GeneratorError("from-env-file cannot be combined with from-file or from-literal")
    data = _SecretData()
    for source in literals:
        key, value = parse_literal_source(source)
        data.add(key, value.encode())
    data.add_files(from_files)
    for key, value in _env_files(env_files, "secret"):
        data.add(key, value.encode())
    return _with_secret_hash(_secret(name, namespace, type_, dict(data)), append_hash)


def secret_docker_registry(
    name: str,
    namespace: str,
    username: str,
    password: str,
    email: str,
    server: str,
    from_files: Sequence[str] = (),
    append_hash: bool = False,
) -> Obj:
    """``create secret docker-registry``: a ``.dockerconfigjson`` from flags or files."""
    if not from_files and (not username or not password or not server):
        raise GeneratorError(
            "either --from-file or the combination of --docker-username, --docker-password and "
            "--docker-server is required"
        )
    data = _SecretData()
    if from_files:
        data.add_files(
            source if "=" in source else f".dockerconfigjson={source}" for source in from_files
        )
    else:
        entry = {"username": username, "password": password, "email": email}
        entry = {k: v for k, v in entry.items() if v}
        auth = base64.b64encode(f"{username}:{password}".encode()).decode()
        config = {"auths": {server: {**entry, "auth": auth}}}
        data.add(".dockerconfigjson", gojson.dumps(config, sort_keys=False).encode())
    secret = _secret(name, namespace, "kubernetes.io/dockerconfigjson", dict(data))
    return _with_secret_hash(secret, append_hash)


def secret_tls(name: str, namespace: str, cert: str, key: str, append_hash: bool = False) -> Obj:
    """``create secret tls``: the PEM files, checked to be a matching pair."""
    if not key or not cert:
        raise GeneratorError("key and cert must be specified")
    contents = []
    for path in (cert, key):
        try:
            with open(path, "rb") as f:
                contents.append(f.read())
        except OSError as err:
            reason = (err.strerror or "").lower()
            raise GeneratorError(f"Cannot read file {path}, open {path}: {reason}") from None
    check_key_pair(contents[0], contents[1])
    data = {
        "tls.crt": base64.b64encode(contents[0]).decode(),
        "tls.key": base64.b64encode(contents[1]).decode(),
    }
    return _with_secret_hash(_secret(name, namespace, "kubernetes.io/tls", data), append_hash)


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    blocks = []
    for match in re.finditer(
        rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", data, re.DOTALL
    ):
        blocks.append((match.group(1).decode(), match.group(0)))
    return blocks


def check_key_pair(cert_pem: bytes, key_pem: bytes) -> None:
    """Go's ``tls.X509KeyPair`` checks, with its error texts."""
    cert_blocks = _pem_blocks(cert_pem)
    certs = [block for kind, block in cert_blocks if kind == "CERTIFICATE"]
    if not certs:
        skipped = [kind for kind, _ in cert_blocks]
        if not skipped:
            raise GeneratorError("tls: failed to find any PEM data in certificate input")
        if len(skipped) == 1 and skipped[0].endswith("PRIVATE KEY"):
            raise GeneratorError(
                "tls: failed to find certificate PEM data in certificate input, but did find a "
                "private key; PEM inputs may have been switched"
            )
        raise GeneratorError(
            'tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM '
            f"blocks of the following types: [{' '.join(skipped)}]"
        )
    skipped = []
    key = None
    for kind, block in _pem_blocks(key_pem):
        if kind == "PRIVATE KEY" or kind.endswith(" PRIVATE KEY"):
            key = block
            break
        skipped.append(kind)
    if key is None:
        if not skipped:
            raise GeneratorError("tls: failed to find any PEM data in key input")
        if skipped == ["CERTIFICATE"]:
            raise GeneratorError(
                "tls: found a certificate rather than a key in the PEM for the private key"
            )
        raise GeneratorError(
            'tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after '
            f"skipping PEM blocks of the following types: [{' '.join(skipped)}]"
        )
    _check_key_matches(certs[0], key)


def _check_key_matches(cert: bytes, key: bytes) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(cert)
    except ValueError:
        raise GeneratorError("x509: malformed certificate") from None
    try:
        private = serialization.load_pem_private_key(key, password=None)
    except (ValueError, TypeError):
        raise GeneratorError("tls: failed to parse private key") from None
    der, spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    mine = private.public_key().public_bytes(der, spki)
    if certificate.public_key().public_bytes(der, spki) != mine:
        if type(certificate.public_key()).__mro__[1] is not type(private.public_key()).__mro__[1]:
            raise GeneratorError("tls: private key type does not match public key type")
        raise GeneratorError("tls: private key does not match public key")


# --- namespaces, service accounts, services --------------------------------------------------


def namespace(name: str) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(name)}


def service_account(name: str, namespace: str) -> Obj:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name, namespace)}


def _service_port(spec: str, node_port: int) -> Obj:
    """One ``--tcp`` value (``port[:targetPort]``) as kubectl's ``parsePorts`` reads it."""
    parts = spec.split(":")
    port_text = parts[0]
    if not re.fullmatch(r"[0-9]+", port_text):
        raise GeneratorError(f'strconv.ParseUint: parsing "{port_text}": invalid syntax')
    port = int(port_text)
    if port > 65535:
        raise GeneratorError(f'strconv.ParseUint: parsing "{port_text}": value out of range')
    target: int | str = port
    if len(parts) > 1:
        number = _go_atoi(parts[1])
        if number is None:
            errors = port_name_errors(parts[1])
            if errors:
                raise GeneratorError(",".join(errors))
            target = parts[1]
        else:
            if not 1 <= number <= 65535:
                raise GeneratorError("must be between 1 and 65535, inclusive")
            target = number
    result: Obj = {
        "name": spec.replace(":", "-"),
        "protocol": "TCP",
        "port": port,
        "targetPort": target,
    }
    if node_port:
        result["nodePort"] = node_port
    return result


def service(
    name: str,
    namespace: str,
    type_: str,
    tcp: Sequence[str] = (),
    cluster_ip: str = "",
    node_port: int = 0,
    external_name: str = "",
) -> Obj:
    """``create service clusterip|nodeport|loadbalancer|externalname``."""
    if cluster_ip == "None" and type_ != "ClusterIP":
        raise GeneratorError("ClusterIP=None can only be used with ClusterIP service type")
    if cluster_ip != "None" and not tcp and type_ != "ExternalName":
        raise GeneratorError("at least one tcp port specifier must be provided")
    if type_ == "ExternalName" and not is_dns1123_subdomain(external_name):
        raise GeneratorError(f"invalid service external name {external_name}")
    ports = [_service_port(spec, node_port) for spec in tcp]
    spec: Obj = {"ports": ports, "selector": {"app": name}, "type": type_}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    if external_name:
        spec["externalName"] = external_name
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, namespace, labels={"app": name}),
        "spec": spec,
    }


# --- workloads -------------------------------------------------------------------------------

_RANDOM_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def _container_name(image: str) -> str:
    """kubectl's container name for an image: its last path part, without tag or digest;
    ``_`` and ``.`` become ``-`` and get a random five-letter suffix (``sanitizeAndUniquify``)."""
    name = image.split("/")[-1].split(":")[0].split("@")[0]
    if "_" in name or "." in name:
        import secrets

        suffix = "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(5))
        name = f"{name.replace('_', '-').replace('.', '-')}-{suffix}"
    return name


def _container(name: str, image: str, command: Sequence[str]) -> Obj:
    container: Obj = {"name": name, "image": image}
    if command:
        container["command"] = list(command)
    return container


def deployment(
    name: str,
    namespace: str,
    images: Sequence[str],
    command: Sequence[str] = (),
    port: int = -1,
    replicas: int = 1,
) -> Obj:
    """``create deployment``: one container per image, labels and selector ``app=<name>``."""
    if len(images) > 1 and command:
        raise GeneratorError("cannot specify multiple --image options and command")
    labels = {"app": name}
    containers = [_container(_container_name(image), image, command) for image in images]
    if port >= 0 and containers:
        containers[0]["ports"] = [{"containerPort": port}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, namespace, labels=labels),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": containers},
            },
        },
    }


def job(name: str, namespace: str, image: str, command: Sequence[str] = ()) -> Obj:
    """``create job --image``."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(name, namespace),
        "spec": {
            "template": {
                "spec": {
                    "containers": [_container(name, image, command)],
                    "restartPolicy": "Never",
                }
            }
        },
    }


def job_from_cronjob(name: str, namespace: str, cronjob: Obj) -> Obj:
    """``create job --from=cronjob/NAME``: the cron job's job template, owned by it."""
    template = (cronjob.get("spec") or {}).get("jobTemplate") or {}
    template_meta = template.get("metadata") or {}
    annotations = {"cronjob.kubernetes.io/instantiate": "manual"}
    annotations.update(template_meta.get("annotations") or {})
    meta = cronjob.get("metadata") or {}
    owner = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "name": meta.get("name", ""),
        "uid": meta.get("uid", ""),
        "controller": True,
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(
            name,
            namespace,
            labels=template_meta.get("labels"),
            annotations=annotations,
            ownerReferences=[owner],
        ),
        "spec": template.get("spec") or {},
    }


def cronjob(
    name: str,
    namespace: str,
    image: str,
    schedule: str,
    restart: str = "",
    command: Sequence[str] = (),
) -> Obj:
    """``create cronjob``: restart policy ``OnFailure`` unless ``--restart`` says otherwise."""
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta(name, namespace),
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"name": name},
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [_container(name, image, command)],
                            "restartPolicy": restart or "OnFailure",
                        }
                    }
                },
            },
        },
    }


# --- ingress ---------------------------------------------------------------------------------

_RULE = re.compile(
    r"^(?P<host>[\w*\-.]*)(?P<path>/.*)=(?P<svcname>[\w\-]+):(?P<svcport>[\w\-]+)"
    r"(,(?P<istls>tls)=?(?P<secretname>[\w\-]+)?)?",
    re.ASCII,
)


def _backend(service_port: str) -> Obj:
    svc, port = service_port.split(":")[0], service_port.split(":")[1]
    value = int_or_string(port)
    return {
        "service": {
            "name": svc,
            "port": {"number": value} if isinstance(value, int) else {"name": value},
        }
    }


def ingress(
    name: str,
    namespace: str,
    ingress_class: str = "",
    rules: Sequence[str] = (),
    annotations: Sequence[str] = (),
    default_backend: str = "",
) -> Obj:
    """``create ingress``: ``host/path=svc:port[,tls[=secret]]`` rules, ``path*`` = Prefix."""
    if not default_backend and not rules:
        raise GeneratorError(
            "not enough information provided: every ingress has to either specify a "
            "default-backend (which catches all traffic) or a list of rules (which catch "
            "specific paths)"
        )
    for rule in rules:
        if not _RULE.match(rule):
            raise GeneratorError(
                f"rule {rule} is invalid and should be in format "
                "host/path=svcname:svcport[,tls[=secret]]"
            )
    for annotation in annotations:
        if "=" not in annotation:
            raise GeneratorError(
                f"annotation {annotation} is invalid and should be in format key=[value]"
            )
    if default_backend and len(default_backend.split(":")) != 2:
        raise GeneratorError("default-backend should be in format servicename:serviceport")
    spec: Obj = {}
    if ingress_class:
        spec["ingressClassName"] = ingress_class
    if default_backend:
        spec["defaultBackend"] = _backend(default_backend)
    spec["tls"] = _ingress_tls(rules)
    spec["rules"] = _ingress_rules(rules)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _meta(name, namespace, annotations=dict(a.split("=", 1) for a in annotations)),
        "spec": spec,
    }


def _ingress_tls(rules: Sequence[str]) -> list[Obj]:
    tls: list[Obj] = []
    seen: set[str] = set()
    for rule in rules:
        parts = rule.split(",")
        if len(parts) != 2:
            continue
        host = rule.split("/", 1)[0]
        secret_parts = parts[1].split("=")
        secret = secret_parts[1] if len(secret_parts) > 1 else ""
        if host in seen:
            continue
        seen.add(host)
        existing = next((t for t in tls if t.get("secretName", "") == secret), None)
        if existing is not None:
            existing.setdefault("hosts", []).append(host)
            continue
        entry: Obj = {}
        if host:
            entry["hosts"] = [host]
        if secret:
            entry["secretName"] = secret
        if entry:
            tls.append(entry)
    return tls


def _ingress_rules(rules: Sequence[str]) -> list[Obj]:
    result: list[Obj] = []
    for rule in rules:
        host, _, path_service = rule.split(",")[0].partition("/")
        path_part, service_port = path_service.split("=")[0], path_service.split("=")[1]
        path = "/" + path_part
        path_type = "Exact"
        if path.endswith("*"):
            path_type, path = "Prefix", path[:-1]
        http_path = {"path": path, "pathType": path_type, "backend": _backend(service_port)}
        existing = next((r for r in result if r.get("host", "") == host), None)
        if existing is not None:
            existing["http"]["paths"].append(http_path)
            continue
        entry: Obj = {"host": host} if host else {}
        entry["http"] = {"paths": [http_path]}
        result.append(entry)
    return result


# --- policy: quotas, priority classes, disruption budgets -----------------------------------


def quota(name: str, namespace: str, hard: str = "", scopes: str = "") -> Obj:
    """``create quota --hard=cpu=1,memory=1Gi --scopes=...``."""
    from backends.objects.quantity import Quantity, QuantityError

    spec: Obj = {}
    if hard:
        limits: dict[str, str] = {}
        for statement in hard.split(","):
            parts = statement.split("=")
            if len(parts) != 2:
                raise GeneratorError(
                    f"Invalid argument syntax {statement}, expected <resource>=<value>"
                )
            try:
                limits[parts[0]] = str(Quantity.parse(parts[1]))
            except QuantityError as err:
                raise GeneratorError(str(err)) from None
        spec["hard"] = limits
    if scopes:
        parsed = scopes.split(",")
        if "" in parsed:
            raise GeneratorError('invalid resource quota scope ""')
        spec["scopes"] = parsed
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": _meta(name, namespace),
        "spec": spec,
    }


def priority_class(
    name: str,
    value: int,
    global_default: bool = False,
    description: str = "",
    preemption_policy: str = "PreemptLowerPriority",
) -> Obj:
    return {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": _meta(name),
        "value": value,
        "globalDefault": global_default,
        "description": description,
        "preemptionPolicy": preemption_policy,
    }


def pod_disruption_budget(
    name: str, namespace: str, selector: str, min_available: str = "", max_unavailable: str = ""
) -> Obj:
    """``create poddisruptionbudget``."""
    if not selector:
        raise GeneratorError("a selector must be specified")
    if not max_unavailable and not min_available:
        raise GeneratorError("one of min-available or max-unavailable must be specified")
    if max_unavailable and min_available:
        raise GeneratorError("min-available and max-unavailable cannot be both specified")
    if min_available and not re.fullmatch(r"[0-9]+%?", min_available):
        raise GeneratorError("invalid format specified for min-available")
    if max_unavailable and not re.fullmatch(r"[0-9]+%?", max_unavailable):
        raise GeneratorError("invalid format specified for max-unavailable")
    from backends.objects.selectors import SelectorError, parse_to_label_selector_dict

    try:
        parsed = parse_to_label_selector_dict(selector)
    except SelectorError as err:
        raise GeneratorError(str(err)) from None
    spec: Obj = {"selector": parsed}
    if min_available:
        spec["minAvailable"] = int_or_string(min_available)
    else:
        spec["maxUnavailable"] = int_or_string(max_unavailable)
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(name, namespace),
        "spec": spec,
    }


# --- RBAC ------------------------------------------------------------------------------------

VALID_RESOURCE_VERBS = (
    "*",
    "get",
    "delete",
    "list",
    "create",
    "update",
    "patch",
    "watch",
    "proxy",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
)
VALID_NON_RESOURCE_VERBS = ("*", "get", "post", "put", "delete", "patch", "head", "options")
# Verbs that only make sense for some (group, resource) pairs.
SPECIAL_VERBS = {
    "use": (("policy", "podsecuritypolicies"), ("extensions", "podsecuritypolicies")),
    "bind": (("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterroles")),
    "escalate": (
        ("rbac.authorization.k8s.io", "roles"),
        ("rbac.authorization.k8s.io", "clusterroles"),
    ),
    "impersonate": (
        ("", "users"),
        ("", "serviceaccounts"),
        ("", "groups"),
        ("authentication.k8s.io", "userextras"),
        ("authentication.k8s.io", "uids"),
    ),
}


@dataclass(frozen=True)
class RuleResource:
    """One ``--resource`` value: ``resource[.group][/subresource]``."""

    resource: str
    group: str = ""
    subresource: str = ""

    @classmethod
    def parse(cls, text: str) -> RuleResource:
        head, _, sub = text.partition("/")
        resource, _, group = head.partition(".")
        return cls(resource, group, sub)


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order without repeats."""
    return list(dict.fromkeys(values))


def role_verbs(verbs: Sequence[str]) -> list[str]:
    """``--verb`` values without repeats; ``*`` alone when given."""
    return ["*"] if "*" in verbs else unique(verbs)


def role_resources(texts: Sequence[str]) -> list[RuleResource]:
    """``--resource`` values; a bare ``*`` stands for everything and ends the list."""
    resources: list[RuleResource] = []
    for text in texts:
        parsed = RuleResource.parse(text)
        if parsed.resource == "*" and "." not in text and "/" not in text:
            return [parsed]
        resources.append(parsed)
    return resources


def policy_rules(
    verbs: Sequence[str],
    resources: Sequence[tuple[str, str]],
    resource_names: Sequence[str],
    non_resource_urls: Sequence[str] = (),
) -> list[Obj]:
    """One rule per API group (groups sorted), plus one for non-resource URLs.

    ``resources`` are (group, resource[/subresource]) pairs, already resolved against the
    server's resource types."""
    by_group: dict[str, list[str]] = {}
    for group, resource in resources:
        names = by_group.setdefault(group, [])
        if resource not in names:
            names.append(resource)
    rules: list[Obj] = []
    for group in sorted(by_group):
        rule: Obj = {"verbs": list(verbs), "apiGroups": [group], "resources": by_group[group]}
        if resource_names:
            rule["resourceNames"] = list(resource_names)
        rules.append(rule)
    if non_resource_urls:
        rules.append({"verbs": list(verbs), "nonResourceURLs": list(non_resource_urls)})
    return rules


def check_special_verbs(verbs: Sequence[str], group: str, resource: str) -> None:
    for verb in verbs:
        allowed = SPECIAL_VERBS.get(verb)
        if allowed is not None and (group, resource) not in allowed:
            raise GeneratorError(f"can not perform '{verb}' on '{resource}' in group '{group}'")


def check_non_resource_urls(verbs: Sequence[str], urls: Sequence[str]) -> None:
    for verb in verbs:
        if verb not in VALID_NON_RESOURCE_VERBS:
            raise GeneratorError(f"invalid verb: '{verb}' for nonResourceURL")
    for url in urls:
        if url == "*":
            continue
        if not url.startswith("/"):
            raise GeneratorError("nonResourceURL should start with /")
        if "*" in url[:-1]:
            raise GeneratorError(
                "nonResourceURL only supports wildcard matches when '*' is at the end"
            )


def role(name: str, namespace: str, rules: list[Obj]) -> Obj:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(name, namespace),
        "rules": rules,
    }


def cluster_role(name: str, rules: list[Obj] | None, aggregation: dict[str, str]) -> Obj:
    role: Obj = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": _meta(name),
    }
    if aggregation:
        role["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": aggregation}]}
    else:
        role["rules"] = rules or []
    return role


def _subjects(users: Sequence[str], groups: Sequence[str], accounts: Sequence[str]) -> list[Obj]:
    rbac = "rbac.authorization.k8s.io"
    subjects = [{"kind": "User", "apiGroup": rbac, "name": u} for u in users]
    subjects += [{"kind": "Group", "apiGroup": rbac, "name": g} for g in groups]
    for account in accounts:
        tokens = account.split(":")
        if len(tokens) != 2 or not tokens[0] or not tokens[1]:
            raise GeneratorError("serviceaccount must be <namespace>:<name>")
        subjects.append({"kind": "ServiceAccount", "namespace": tokens[0], "name": tokens[1]})
    return subjects


def role_binding(
    name: str,
    namespace: str,
    role: str = "",
    cluster_role: str = "",
    users: Sequence[str] = (),
    groups: Sequence[str] = (),
    service_accounts: Sequence[str] = (),
) -> Obj:
    """``create rolebinding``: to a Role or a ClusterRole."""
    if bool(cluster_role) == bool(role):
        raise GeneratorError("exactly one of clusterrole or role must be specified")
    ref_kind, ref_name = ("Role", role) if role else ("ClusterRole", cluster_role)
    binding: Obj = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(name, namespace),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": ref_name},
    }
    subjects = _subjects(users, groups, service_accounts)
    if subjects:
        binding["subjects"] = subjects
    return binding


def cluster_role_binding(
    name: str,
    cluster_role: str,
    users: Sequence[str] = (),
    groups: Sequence[str] = (),
    service_accounts: Sequence[str] = (),
) -> Obj:
    binding: Obj = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta(name),
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": cluster_role,
        },
    }
    subjects = _subjects(users, groups, service_accounts)
    if subjects:
        binding["subjects"] = subjects
    return binding


# --- service account tokens ------------------------------------------------------------------

BOUND_OBJECT_KINDS = {"Node": "v1", "Pod": "v1", "Secret": "v1"}


def token_request(
    audiences: Sequence[str],
    duration: float,
    bound_kind: str = "",
    bound_name: str = "",
    bound_uid: str = "",
) -> Obj:
    """``create token``: the TokenRequest body (its checks in kubectl's order)."""
    if duration < 0:
        raise GeneratorError("--duration must be greater than or equal to 0")
    if round(duration * 1e9) % 1_000_000_000:
        raise GeneratorError("--duration cannot be expressed in units less than seconds")
    if any(not audience for audience in audiences):
        raise GeneratorError("--audience must not be an empty string")
    kinds = ", ".join(sorted(BOUND_OBJECT_KINDS))
    if not bound_kind:
        if bound_name:
            raise GeneratorError(
                "--bound-object-name can only be set if --bound-object-kind is provided"
            )
        if bound_uid:
            raise GeneratorError(
                "--bound-object-uid can only be set if --bound-object-kind is provided"
            )
    else:
        if bound_kind not in BOUND_OBJECT_KINDS:
            raise GeneratorError(f"supported --bound-object-kind values are {kinds}")
        if not bound_name:
            raise GeneratorError(
                "--bound-object-name is required if --bound-object-kind is provided"
            )
    spec: Obj = {"audiences": list(audiences) or None}
    if duration > 0:
        spec["expirationSeconds"] = round(duration)
    if bound_kind:
        ref = {"kind": bound_kind, "apiVersion": BOUND_OBJECT_KINDS[bound_kind], "name": bound_name}
        if bound_uid:
            ref["uid"] = bound_uid
        spec["boundObjectRef"] = ref
    return {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "metadata": {},
        "spec": spec,
    }
