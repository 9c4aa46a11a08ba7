"""Pod volumes on the local disk, laid out as the kubelet lays them out.

``<pod dir>/volumes/kubernetes.io~<plugin>/<volume>`` holds each volume the kubelet owns:
``empty-dir`` (medium Memory lives in ``/dev/shm`` instead), ``configmap``, ``secret``,
``downward-api`` and ``projected`` (files written by the atomic writer: a timestamped
``..2026_01_01_10_00_00.000000001`` directory, a ``..data`` symlink to it and one symlink per
top-level entry, so updates swap atomically), which :meth:`PodVolumes.refresh` rewrites when
the source objects change. ``hostPath`` and ``persistentVolumeClaim`` point at host directories
outside the pod (a claim's bound PV must be a ``hostPath``/``local`` volume, which the
provisioner creates). Unsupported sources (nfs, iscsi, csi, ...) get an empty directory and a
Warning event saying so.

A source that cannot be set up raises :class:`MountError` with the kubelet's FailedMount message.
Volume contents outlive container restarts and are removed with the pod, except hostPath and
claims.
"""

from __future__ import annotations

import base64
import datetime
import os
import shutil
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backends.simulator.kubelet.env import (
    ConfigError,
    PodAddresses,
    expand,
    field_value,
    resource_value,
    secret_data,
)
from backends.simulator.kubelet.isolation import Mount

Obj = dict[str, Any]
Lookup = Callable[[str, str], Obj | None]
TokenSource = Callable[[str, str, list[str], int], str]  # namespace, account, audiences, seconds
DEFAULT_MODE = 0o644
_UNSUPPORTED = (
    "nfs", "iscsi", "glusterfs", "rbd", "cephfs", "cinder", "fc", "flocker", "flexVolume",
    "azureFile", "azureDisk", "vsphereVolume", "quobyte", "photonPersistentDisk",
    "portworxVolume", "scaleIO", "storageos", "gcePersistentDisk", "awsElasticBlockStore",
    "csi", "gitRepo", "image",
)  # fmt: skip
DEFAULT_AUDIENCE = "https://kubernetes.default.svc.cluster.local"


class MountError(Exception):
    """A volume cannot be set up; the message is the kubelet's FailedMount event text."""


@dataclass
class VolumeHost:
    """What volume setup reads: objects by namespace/name, the node, the pod's addresses."""

    config_maps: Lookup
    secrets: Lookup
    claims: Lookup
    volumes: Callable[[str], Obj | None]  # PersistentVolume by name
    allocatable: Mapping[str, Any]
    token: TokenSource | None = None


@dataclass
class PodVolumes:
    """The volumes of one pod: name → host path, plus warnings for unsupported sources."""

    pod_dir: str
    paths: dict[str, str] = field(default_factory=dict)
    read_only: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def setup(self, pod: Obj, host: VolumeHost, addresses: PodAddresses) -> None:
        """Create every volume of ``pod`` (MountError on the first that fails)."""
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            name = str(volume.get("name") or "")
            self.paths[name] = self._setup_one(pod, volume, host, addresses)

    def refresh(self, pod: Obj, host: VolumeHost, addresses: PodAddresses) -> None:
        """Rewrite the object-backed volumes whose sources changed (errors are ignored)."""
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            if any(volume.get(k) for k in ("configMap", "secret", "downwardAPI", "projected")):
                try:
                    self._setup_one(pod, volume, host, addresses)
                except MountError:
                    continue

    def _dir(self, plugin: str, name: str) -> str:
        path = os.path.join(self.pod_dir, "volumes", f"kubernetes.io~{plugin}", name)
        os.makedirs(path, exist_ok=True)
        return path

    def _setup_one(self, pod: Obj, volume: Obj, host: VolumeHost, addresses: PodAddresses) -> str:
        name = str(volume.get("name") or "")
        namespace = str((pod.get("metadata") or {}).get("namespace") or "")
        uid = str((pod.get("metadata") or {}).get("uid") or "")
        failed = f'MountVolume.SetUp failed for volume "{name}" : '
        if volume.get("emptyDir") is not None or volume.get("ephemeral") is not None:
            medium = (volume.get("emptyDir") or {}).get("medium")
            if medium == "Memory" and os.path.isdir("/dev/shm"):
                path = os.path.join("/dev/shm", f"pykctl-{uid}-{name}")
                os.makedirs(path, exist_ok=True)
                return path
            return self._dir("empty-dir", name)
        if volume.get("hostPath") is not None:
            return _host_path(volume["hostPath"], failed)
        if volume.get("configMap") is not None:
            source = volume["configMap"]
            files = _object_files(
                "configmap", "config", host.config_maps(namespace, str(source.get("name") or "")),
                source, str(source.get("name") or ""), failed,
            )  # fmt: skip
            return _write_atomic(self._dir("configmap", name), files)
        if volume.get("secret") is not None:
            source = volume["secret"]
            secret_name = str(source.get("secretName") or "")
            files = _object_files(
                "secret",
                "secret",
                host.secrets(namespace, secret_name),
                source,
                secret_name,
                failed,
            )
            return _write_atomic(self._dir("secret", name), files)
        if volume.get("downwardAPI") is not None:
            source = volume["downwardAPI"]
            files = _downward_files(
                pod, source, addresses, host, int(source.get("defaultMode", DEFAULT_MODE)), failed
            )
            return _write_atomic(self._dir("downward-api", name), files)
        if volume.get("projected") is not None:
            return _write_atomic(
                self._dir("projected", name),
                self._projected(pod, volume["projected"], host, addresses, failed),
            )
        if volume.get("persistentVolumeClaim") is not None:
            return self._claim(pod, name, volume["persistentVolumeClaim"], host)
        kind = next((k for k in _UNSUPPORTED if volume.get(k) is not None), "unknown")
        self.warnings.append(
            f'volume "{name}": {kind} volumes are not supported by the local simulator; '
            "an empty directory is mounted instead"
        )
        return self._dir("empty-dir", name)

    def _claim(self, pod: Obj, name: str, source: Obj, host: VolumeHost) -> str:
        namespace = str((pod.get("metadata") or {}).get("namespace") or "")
        claim_name = str(source.get("claimName") or "")
        prefix = (
            f"Unable to attach or mount volumes: unmounted volumes=[{name}], unattached volumes=[], "
            f"failed to process volumes=[{name}]: error processing PVC {namespace}/{claim_name}: "
        )
        claim = host.claims(namespace, claim_name)
        if claim is None:
            raise MountError(
                prefix
                + f'failed to fetch PVC from API server: persistentvolumeclaims "{claim_name}" not found'
            )
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if not volume_name or (claim.get("status") or {}).get("phase") != "Bound":
            raise MountError(prefix + "PVC is not bound")
        pv = host.volumes(str(volume_name))
        if pv is None:
            raise MountError(
                prefix
                + f'failed to fetch PV {volume_name} from API server: persistentvolumes "{volume_name}" not found'
            )
        spec = pv.get("spec") or {}
        if source.get("readOnly"):
            self.read_only.add(name)
        for kind in ("hostPath", "local"):
            if spec.get(kind):
                path = str(spec[kind].get("path") or "")
                os.makedirs(path, exist_ok=True)
                return path
        kind = next((k for k in _UNSUPPORTED if spec.get(k) is not None), "unknown")
        self.warnings.append(
            f'volume "{name}": persistent volume {volume_name} uses {kind}, which the local '
            "simulator does not support; an empty directory is mounted instead"
        )
        return self._dir("empty-dir", name)

    def _projected(
        self, pod: Obj, projected: Obj, host: VolumeHost, addresses: PodAddresses, failed: str
    ) -> dict[str, tuple[bytes, int]]:
        namespace = str((pod.get("metadata") or {}).get("namespace") or "")
        default_mode = int(projected.get("defaultMode", DEFAULT_MODE))
        files: dict[str, tuple[bytes, int]] = {}
        for source in projected.get("sources") or []:
            if source.get("configMap"):
                ref = source["configMap"]
                ref = {"defaultMode": default_mode, **ref}
                files.update(
                    _object_files(
                        "configmap",
                        "config",
                        host.config_maps(namespace, str(ref.get("name") or "")),
                        ref,
                        str(ref.get("name") or ""),
                        failed,
                    )
                )
            elif source.get("secret"):
                ref = {"defaultMode": default_mode, **source["secret"]}
                files.update(
                    _object_files(
                        "secret",
                        "secret",
                        host.secrets(namespace, str(ref.get("name") or "")),
                        ref,
                        str(ref.get("name") or ""),
                        failed,
                    )
                )
            elif source.get("downwardAPI"):
                files.update(
                    _downward_files(
                        pod, source["downwardAPI"], addresses, host, default_mode, failed
                    )
                )
            elif source.get("serviceAccountToken"):
                ref = source["serviceAccountToken"]
                account = str((pod.get("spec") or {}).get("serviceAccountName") or "default")
                audiences = [str(ref["audience"])] if ref.get("audience") else [DEFAULT_AUDIENCE]
                seconds = int(ref.get("expirationSeconds") or 3600)
                token = host.token(namespace, account, audiences, seconds) if host.token else ""
                files[str(ref.get("path") or "token")] = (token.encode(), default_mode)
        return files

    def mounts_for(self, container: Obj, env: Mapping[str, str]) -> list[Mount]:
        """The container's volumeMounts as host-path mounts (subPath created as needed)."""
        mounts: list[Mount] = []
        for mount in container.get("volumeMounts") or []:
            name = str(mount.get("name") or "")
            base = self.paths.get(name)
            if base is None:
                continue
            sub = str(mount.get("subPath") or "")
            if mount.get("subPathExpr"):
                sub = expand(str(mount["subPathExpr"]), env.get)
            source = os.path.join(base, sub) if sub else base
            if sub and not os.path.lexists(source):
                os.makedirs(source, exist_ok=True)
            read_only = bool(mount.get("readOnly")) or name in self.read_only
            mounts.append(
                Mount(str(mount.get("mountPath") or "/"), os.path.realpath(source), read_only)
            )
        return mounts

    def teardown(self, pod: Obj) -> None:
        """Remove the pod's own volumes (never hostPath or claim data)."""
        uid = str((pod.get("metadata") or {}).get("uid") or "")
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            if (volume.get("emptyDir") or {}).get("medium") == "Memory":
                shutil.rmtree(
                    os.path.join("/dev/shm", f"pykctl-{uid}-{volume.get('name')}"),
                    ignore_errors=True,
                )
        shutil.rmtree(os.path.join(self.pod_dir, "volumes"), ignore_errors=True)


def _host_path(source: Obj, failed: str) -> str:
    path = str(source.get("path") or "")
    kind = str(source.get("type") or "")
    if kind == "DirectoryOrCreate":
        os.makedirs(path, mode=0o755, exist_ok=True)
    elif kind == "FileOrCreate" and not os.path.exists(path):
        os.makedirs(os.path.dirname(path) or "/", exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
        os.chmod(path, 0o644)
    checks = {
        "Directory": (os.path.isdir, "directory"),
        "File": (os.path.isfile, "file"),
        "Socket": (lambda p: os.path.exists(p) and stat.S_ISSOCK(os.stat(p).st_mode), "socket"),
        "CharDevice": (
            lambda p: os.path.exists(p) and stat.S_ISCHR(os.stat(p).st_mode),
            "character device",
        ),
        "BlockDevice": (
            lambda p: os.path.exists(p) and stat.S_ISBLK(os.stat(p).st_mode),
            "block device",
        ),
    }
    if kind in checks:
        check, what = checks[kind]
        if not check(path):
            raise MountError(failed + f"hostPath type check failed: {path} is not a {what}")
    elif not kind and not os.path.exists(path):
        os.makedirs(path, exist_ok=True)
    return path


def _object_files(
    plugin: str, key_word: str, obj: Obj | None, source: Obj, name: str, failed: str
) -> dict[str, tuple[bytes, int]]:
    """Files of a configMap/secret source (items or every key), with modes."""
    optional = bool(source.get("optional"))
    if obj is None:
        if optional:
            return {}
        raise MountError(failed + f'{plugin} "{name}" not found')
    if plugin == "configmap":
        data = {k: str(v).encode() for k, v in (obj.get("data") or {}).items()}
        for key, value in (obj.get("binaryData") or {}).items():
            data[key] = base64.b64decode(value)
    else:
        data = {k: v.encode() for k, v in secret_data(obj).items()}
    mode = int(source.get("defaultMode", DEFAULT_MODE))
    items = source.get("items")
    if not items:
        return {key: (value, mode) for key, value in data.items()}
    files: dict[str, tuple[bytes, int]] = {}
    for item in items:
        key = str(item.get("key") or "")
        if key not in data:
            if optional:
                continue
            raise MountError(failed + f"{plugin} references non-existent {key_word} key: {key}")
        files[str(item.get("path") or key)] = (data[key], int(item.get("mode", mode)))
    return files


def _downward_files(
    pod: Obj, source: Obj, addresses: PodAddresses, host: VolumeHost, default_mode: int, failed: str
) -> dict[str, tuple[bytes, int]]:
    mode = int(source.get("defaultMode", default_mode))
    files: dict[str, tuple[bytes, int]] = {}
    containers = {c.get("name"): c for c in (pod.get("spec") or {}).get("containers") or []}
    for item in source.get("items") or []:
        try:
            if item.get("fieldRef"):
                value = field_value(pod, str(item["fieldRef"].get("fieldPath") or ""), addresses)
            elif item.get("resourceFieldRef"):
                ref = item["resourceFieldRef"]
                value = resource_value(
                    containers.get(ref.get("containerName"), {}), str(ref.get("resource") or ""),
                    ref.get("divisor"), host.allocatable,
                )  # fmt: skip
            else:
                continue
        except ConfigError as err:
            raise MountError(failed + str(err)) from None
        files[str(item.get("path") or "")] = (value.encode(), int(item.get("mode", mode)))
    return files


def _current(directory: str) -> dict[str, tuple[bytes, int]] | None:
    """What the atomic writer last wrote in ``directory`` (None when nothing)."""
    data = os.path.join(directory, "..data")
    if not os.path.islink(data):
        return None
    files: dict[str, tuple[bytes, int]] = {}
    root = os.path.realpath(data)
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = (f.read(), stat.S_IMODE(os.stat(path).st_mode))
    return files


def _write_atomic(directory: str, files: dict[str, tuple[bytes, int]]) -> str:
    """The kubelet's AtomicWriter: write ``files`` into ``directory`` with one atomic swap."""
    if _current(directory) == files:
        return directory
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("..%Y_%m_%d_%H_%M_%S.") + f"{now.microsecond * 1000:09d}"
    target = os.path.join(directory, stamp)
    os.makedirs(target)
    for path, (content, mode) in files.items():
        full = os.path.join(target, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(content)
        os.chmod(full, mode)
    os.chmod(target, 0o755)
    data = os.path.join(directory, "..data")
    old = os.path.realpath(data) if os.path.islink(data) else None
    temporary = os.path.join(directory, "..data_tmp")
    if os.path.lexists(temporary):
        os.unlink(temporary)
    os.symlink(stamp, temporary)
    os.replace(temporary, data)
    tops = {path.split("/", 1)[0] for path in files}
    for top in tops:
        link = os.path.join(directory, top)
        if not os.path.islink(link):
            os.symlink(os.path.join("..data", top), link)
    for name in os.listdir(directory):
        if not name.startswith("..") and name not in tops:
            os.unlink(os.path.join(directory, name))
    if old and old != os.path.realpath(data):
        shutil.rmtree(old, ignore_errors=True)
    return directory
