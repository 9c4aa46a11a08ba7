"""Pod volumes on disk: the kubelet's layout, the atomic writer, every source and its errors."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from backends.simulator.kubelet.env import PodAddresses
from backends.simulator.kubelet.volumes import MountError, PodVolumes, VolumeHost

Obj = dict[str, Any]
OBJECTS: dict[str, Obj] = {
    "cfg": {"data": {"mode": "fast", "level": "3"}},
    "sec": {"data": {"password": base64.b64encode(b"hunter2").decode()}},
    "claim": {"spec": {"volumeName": "pv-1"}, "status": {"phase": "Bound"}},
    "loose": {"spec": {}, "status": {"phase": "Pending"}},
}


def host(tmp_path: Path, config: dict[str, Obj] | None = None) -> VolumeHost:
    objects = {**OBJECTS, **(config or {})}
    return VolumeHost(
        lambda ns, name: objects.get(name) if name in ("cfg",) or name.startswith("cfg") else None,
        lambda ns, name: objects.get(name) if name.startswith("sec") else None,
        lambda ns, name: objects.get(name) if name in ("claim", "loose") else None,
        lambda name: (
            {"spec": {"hostPath": {"path": str(tmp_path / "pv-1")}}} if name == "pv-1" else None
        ),
        {"cpu": "2"},
        lambda ns, account, audiences, seconds: f"token-for-{ns}/{account}-{seconds}",
    )


def pod(*volumes: Obj) -> Obj:
    return {
        "metadata": {"name": "p", "namespace": "ns", "uid": "u1", "labels": {"app": "x"}},
        "spec": {"serviceAccountName": "robot", "volumes": list(volumes),
                 "containers": [{"name": "c", "resources": {"limits": {"memory": "1Mi"}}}]},
    }  # fmt: skip


def setup(tmp_path: Path, *volumes: Obj) -> PodVolumes:
    result = PodVolumes(str(tmp_path / "pod"))
    result.setup(pod(*volumes), host(tmp_path), PodAddresses(("127.244.1.2",), ("127.18.0.1",)))
    return result


def test_config_map_volume_uses_the_atomic_writer_layout(tmp_path: Path) -> None:
    volumes = setup(tmp_path, {"name": "c", "configMap": {"name": "cfg"}})
    path = Path(volumes.paths["c"])
    assert path == tmp_path / "pod" / "volumes" / "kubernetes.io~configmap" / "c"
    assert os.readlink(path / "..data").startswith("..20")
    assert os.readlink(path / "mode") == "..data/mode"
    assert (path / "mode").read_text() == "fast"
    assert stat.S_IMODE(os.stat(path / "mode").st_mode) == 0o644
    stamp = os.readlink(path / "..data")
    volumes.refresh(
        pod({"name": "c", "configMap": {"name": "cfg"}}), host(tmp_path), PodAddresses()
    )
    assert os.readlink(path / "..data") == stamp  # unchanged: not rewritten
    changed = host(tmp_path, {"cfg": {"data": {"mode": "slow"}}})
    volumes.refresh(pod({"name": "c", "configMap": {"name": "cfg"}}), changed, PodAddresses())
    assert (path / "mode").read_text() == "slow" and not (path / "level").exists()
    assert sorted(os.listdir(path)) == [os.readlink(path / "..data"), "..data", "mode"]


def test_items_modes_and_secrets(tmp_path: Path) -> None:
    volumes = setup(
        tmp_path,
        {
            "name": "c",
            "configMap": {
                "name": "cfg",
                "items": [{"key": "level", "path": "conf/level", "mode": 0o400}],
            },
        },
        {"name": "s", "secret": {"secretName": "sec", "defaultMode": 0o600}},
    )
    config = Path(volumes.paths["c"])
    assert (config / "conf" / "level").read_text() == "3"
    assert stat.S_IMODE(os.stat(config / "conf" / "level").st_mode) == 0o400
    secret = Path(volumes.paths["s"])
    assert (secret / "password").read_text() == "hunter2"
    assert stat.S_IMODE(os.stat(secret / "password").st_mode) == 0o600


@pytest.mark.parametrize(
    ("volume", "message"),
    [
        ({"name": "v", "configMap": {"name": "absent"}}, 'MountVolume.SetUp failed for volume "v" : configmap "absent" not found'),
        ({"name": "v", "secret": {"secretName": "sec-absent"}}, 'MountVolume.SetUp failed for volume "v" : secret "sec-absent" not found'),
        ({"name": "v", "configMap": {"name": "cfg", "items": [{"key": "k", "path": "k"}]}},
         'MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: k'),
        ({"name": "v", "hostPath": {"path": "/nonexistent-dir-xyz", "type": "Directory"}},
         'MountVolume.SetUp failed for volume "v" : hostPath type check failed: /nonexistent-dir-xyz is not a directory'),
        ({"name": "v", "persistentVolumeClaim": {"claimName": "missing"}},
         "Unable to attach or mount volumes: unmounted volumes=[v], unattached volumes=[], failed to process "
         'volumes=[v]: error processing PVC ns/missing: failed to fetch PVC from API server: persistentvolumeclaims "missing" not found'),
        ({"name": "v", "persistentVolumeClaim": {"claimName": "loose"}},
         "Unable to attach or mount volumes: unmounted volumes=[v], unattached volumes=[], failed to process "
         "volumes=[v]: error processing PVC ns/loose: PVC is not bound"),
    ],
)  # fmt: skip
def test_failed_mounts(tmp_path: Path, volume: Obj, message: str) -> None:
    with pytest.raises(MountError) as err:
        setup(tmp_path, volume)
    assert str(err.value) == message


def test_optional_sources_mount_empty(tmp_path: Path) -> None:
    volumes = setup(tmp_path, {"name": "v", "configMap": {"name": "absent", "optional": True}})
    assert [n for n in os.listdir(volumes.paths["v"]) if not n.startswith("..")] == []


def test_downward_api_and_the_projected_token_volume(tmp_path: Path) -> None:
    volumes = setup(
        tmp_path,
        {"name": "info", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
            {"path": "mem", "resourceFieldRef": {"containerName": "c", "resource": "limits.memory", "divisor": "1Ki"}},
        ]}},
        {"name": "kube-api-access-x", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "cfg", "items": [{"key": "mode", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
        ]}},
    )  # fmt: skip
    info = Path(volumes.paths["info"])
    assert (info / "labels").read_text() == 'app="x"'
    assert (info / "mem").read_text() == "1024"
    token = Path(volumes.paths["kube-api-access-x"])
    assert (token / "token").read_text() == "token-for-ns/robot-3607"
    assert (token / "namespace").read_text() == "ns"
    assert (token / "ca.crt").read_text() == "fast"


def test_host_paths_claims_and_unsupported_sources(tmp_path: Path) -> None:
    made = tmp_path / "made"
    volumes = setup(
        tmp_path,
        {"name": "h", "hostPath": {"path": str(made), "type": "DirectoryOrCreate"}},
        {"name": "f", "hostPath": {"path": str(tmp_path / "x" / "file"), "type": "FileOrCreate"}},
        {"name": "d", "persistentVolumeClaim": {"claimName": "claim", "readOnly": True}},
        {"name": "n", "nfs": {"server": "nfs.example.com", "path": "/exports"}},
        {"name": "m", "emptyDir": {"medium": "Memory"}},
    )
    assert made.is_dir() and (tmp_path / "x" / "file").is_file()
    assert volumes.paths["d"] == str(tmp_path / "pv-1") and "d" in volumes.read_only
    assert volumes.warnings == [
        'volume "n": nfs volumes are not supported by the local simulator; an empty directory is mounted instead'
    ]
    assert volumes.paths["m"].startswith("/dev/shm/pykctl-u1-")
    volumes.teardown(pod({"name": "m", "emptyDir": {"medium": "Memory"}}))
    assert not os.path.exists(volumes.paths["m"])


def test_mounts_with_sub_paths(tmp_path: Path) -> None:
    volumes = setup(tmp_path, {"name": "data", "emptyDir": {}})
    container = {"volumeMounts": [
        {"name": "data", "mountPath": "/data"},
        {"name": "data", "mountPath": "/logs", "subPathExpr": "$(POD)/logs", "readOnly": True},
    ]}  # fmt: skip
    mounts = volumes.mounts_for(container, {"POD": "p"})
    assert [(m.destination, m.read_only) for m in mounts] == [("/data", False), ("/logs", True)]
    assert mounts[1].source == os.path.join(volumes.paths["data"], "p", "logs")
    assert os.path.isdir(mounts[1].source)
