"""Volume sources as kubectl describes them: a pod's ``Volumes:`` section and a
PersistentVolume's ``Source:`` block, plus the claim summary shared by PersistentVolumeClaims
and ephemeral volumes.

Each source prints ``Type:\\t<Kind> (<explanation>)`` and its fields at level 2. Fields kubectl
prints with Go's ``%v`` keep that form: lists as ``[a b]``, maps as ``map[k:v]``, and secret
references as their generated ``String()`` (``&LocalObjectReference{Name:s,}``, ``nil``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pykctl.describe.format import (
    Obj,
    annotations_multiline,
    annotations_of,
    dig,
    go_value,
    items,
    labels_multiline,
    labels_of,
    mapping,
    number,
    parse_quantity,
    quantity,
    since,
    string_map,
    text,
)
from pykctl.describe.writer import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, Writer

Printer = Callable[[Writer, Obj], None]


def _b(obj: Obj, field: str) -> str:
    """A bool field with ``%v``."""
    return "true" if dig(obj, field) is True else "false"


def _n(obj: Obj, field: str) -> str:
    return str(number(obj, field))


def _list(obj: Obj, field: str) -> str:
    return go_value(items(obj, field))


def _ref(obj: Obj, field: str, type_name: str) -> str:
    """A ``*LocalObjectReference``/``*SecretReference`` printed with ``%v``."""
    ref = dig(obj, field)
    if not isinstance(ref, dict):
        return "nil"
    if type_name == "SecretReference":
        return f"&SecretReference{{Name:{text(ref, 'name')},Namespace:{text(ref, 'namespace')},}}"
    return f"&LocalObjectReference{{Name:{text(ref, 'name')},}}"


def _fields(w: Writer, kind: str, explanation: str, *rows: tuple[str, str]) -> None:
    """``Type:`` and the rows after it, as one kubectl ``Write(LEVEL_2, ...)`` call."""
    body = "".join(f"    {label}\t{value}\n" for label, value in rows)
    w.write(LEVEL_2, f"Type:\t{kind} ({explanation})\n{body}")


def _host_path(w: Writer, s: Obj) -> None:
    kind = dig(s, "type")
    _fields(
        w,
        "HostPath",
        "bare host directory volume",
        ("Path:", text(s, "path")),
        ("HostPathType:", "<none>" if kind is None else str(kind)),
    )


def _empty_dir(w: Writer, s: Obj) -> None:
    limit = parse_quantity(dig(s, "sizeLimit"))
    size = str(limit) if dig(s, "sizeLimit") is not None and limit.sign() > 0 else "<unset>"
    _fields(
        w,
        "EmptyDir",
        "a temporary directory that shares a pod's lifetime",
        ("Medium:", text(s, "medium")),
        ("SizeLimit:", size),
    )


def _gce(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "GCEPersistentDisk",
        "a Persistent Disk resource in Google Compute Engine",
        ("PDName:", text(s, "pdName")),
        ("FSType:", text(s, "fsType")),
        ("Partition:", _n(s, "partition")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _aws(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "AWSElasticBlockStore",
        "a Persistent Disk resource in AWS",
        ("VolumeID:", text(s, "volumeID")),
        ("FSType:", text(s, "fsType")),
        ("Partition:", _n(s, "partition")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _git_repo(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "GitRepo",
        "a volume that is pulled from git when the pod is created",
        ("Repository:", text(s, "repository")),
        ("Revision:", text(s, "revision")),
    )


def _secret(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "Secret",
        "a volume populated by a Secret",
        ("SecretName:", text(s, "secretName")),
        ("Optional:", _b(s, "optional")),
    )


def _config_map(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "ConfigMap",
        "a volume populated by a ConfigMap",
        ("Name:", text(s, "name")),
        ("Optional:", _b(s, "optional")),
    )


def _projected(w: Writer, s: Obj) -> None:
    w.write(
        LEVEL_2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n"
    )
    for source in items(s, "sources"):
        if isinstance(dig(source, "secret"), dict):
            secret = mapping(source, "secret")
            w.write(
                LEVEL_2,
                f"SecretName:\t{text(secret, 'name')}\n    Optional:\t{_b(secret, 'optional')}\n",
            )
        elif isinstance(dig(source, "downwardAPI"), dict):
            w.write(LEVEL_2, "DownwardAPI:\ttrue\n")
        elif isinstance(dig(source, "configMap"), dict):
            config = mapping(source, "configMap")
            w.write(
                LEVEL_2,
                f"ConfigMapName:\t{text(config, 'name')}\n    Optional:\t{_b(config, 'optional')}\n",
            )
        elif isinstance(dig(source, "serviceAccountToken"), dict):
            seconds = number(source, "serviceAccountToken", "expirationSeconds")
            w.write(LEVEL_2, f"TokenExpirationSeconds:\t{seconds}\n")


def _nfs(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "NFS",
        "an NFS mount that lasts the lifetime of a pod",
        ("Server:", text(s, "server")),
        ("Path:", text(s, "path")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _quobyte(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "Quobyte",
        "a Quobyte mount on the host that shares a pod's lifetime",
        ("Registry:", text(s, "registry")),
        ("Volume:", text(s, "volume")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _portworx(w: Writer, s: Obj) -> None:
    _fields(w, "PortworxVolume", "a Portworx Volume resource", ("VolumeID:", text(s, "volumeID")))


def _iscsi(secret_type: str) -> Printer:
    def printer(w: Writer, s: Obj) -> None:
        initiator = dig(s, "initiatorName")
        _fields(
            w,
            "ISCSI",
            "an ISCSI Disk resource that is attached to a kubelet's host machine and then "
            "exposed to the pod",
            ("TargetPortal:", text(s, "targetPortal")),
            ("IQN:", text(s, "iqn")),
            ("Lun:", _n(s, "lun")),
            ("ISCSIInterface", text(s, "iscsiInterface")),
            ("FSType:", text(s, "fsType")),
            ("ReadOnly:", _b(s, "readOnly")),
            ("Portals:", _list(s, "portals")),
            ("DiscoveryCHAPAuth:", _b(s, "chapAuthDiscovery")),
            ("SessionCHAPAuth:", _b(s, "chapAuthSession")),
            ("SecretRef:", _ref(s, "secretRef", secret_type)),
            ("InitiatorName:", "<none>" if initiator is None else str(initiator)),
        )

    return printer


def _glusterfs(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "Glusterfs",
        "a Glusterfs mount on the host that shares a pod's lifetime",
        ("EndpointsName:", text(s, "endpoints")),
        ("Path:", text(s, "path")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _glusterfs_pv(w: Writer, s: Obj) -> None:
    namespace = dig(s, "endpointsNamespace")
    _fields(
        w,
        "Glusterfs",
        "a Glusterfs mount on the host that shares a pod's lifetime",
        ("EndpointsName:", text(s, "endpoints")),
        ("EndpointsNamespace:", "<unset>" if namespace is None else str(namespace)),
        ("Path:", text(s, "path")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _claim(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "PersistentVolumeClaim",
        "a reference to a PersistentVolumeClaim in the same namespace",
        ("ClaimName:", text(s, "claimName")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _ephemeral(w: Writer, s: Obj) -> None:
    w.write(
        LEVEL_2,
        "Type:\tEphemeralVolume (an inline specification for a volume that gets created and "
        "deleted with the pod)\n",
    )
    template = dig(s, "volumeClaimTemplate")
    if isinstance(template, dict):
        claim = {"metadata": mapping(template, "metadata"), "spec": mapping(template, "spec")}
        print_claim(w.nested(LEVEL_2), claim, None)


def _rbd(secret_type: str) -> Printer:
    def printer(w: Writer, s: Obj) -> None:
        _fields(
            w,
            "RBD",
            "a Rados Block Device mount on the host that shares a pod's lifetime",
            ("CephMonitors:", _list(s, "monitors")),
            ("RBDImage:", text(s, "image")),
            ("FSType:", text(s, "fsType")),
            ("RBDPool:", text(s, "pool")),
            ("RadosUser:", text(s, "user")),
            ("Keyring:", text(s, "keyring")),
            ("SecretRef:", _ref(s, "secretRef", secret_type)),
            ("ReadOnly:", _b(s, "readOnly")),
        )

    return printer


def _downward_api(w: Writer, s: Obj) -> None:
    w.write(
        LEVEL_2,
        "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
    )
    for item in items(s, "items"):
        if isinstance(dig(item, "fieldRef"), dict):
            w.write(LEVEL_3, f"{text(item, 'fieldRef', 'fieldPath')} -> {text(item, 'path')}\n")
        if isinstance(dig(item, "resourceFieldRef"), dict):
            w.write(
                LEVEL_3, f"{text(item, 'resourceFieldRef', 'resource')} -> {text(item, 'path')}\n"
            )


def _azure_disk(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "AzureDisk",
        "an Azure Data Disk mount on the host and bind mount to the pod",
        ("DiskName:", text(s, "diskName")),
        ("DiskURI:", text(s, "diskURI")),
        ("Kind: ", text(s, "kind")),
        ("FSType:", text(s, "fsType")),
        ("CachingMode:", text(s, "cachingMode")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _vsphere(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "vSphereVolume",
        "a Persistent Disk resource in vSphere",
        ("VolumePath:", text(s, "volumePath")),
        ("FSType:", text(s, "fsType")),
        ("StoragePolicyName:", text(s, "storagePolicyName")),
    )


def _photon(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "PhotonPersistentDisk",
        "a Persistent Disk resource in photon platform",
        ("PdID:", text(s, "pdID")),
        ("FSType:", text(s, "fsType")),
    )


def _cinder(secret_type: str) -> Printer:
    def printer(w: Writer, s: Obj) -> None:
        _fields(
            w,
            "Cinder",
            "a Persistent Disk resource in OpenStack",
            ("VolumeID:", text(s, "volumeID")),
            ("FSType:", text(s, "fsType")),
            ("ReadOnly:", _b(s, "readOnly")),
            ("SecretRef:", _ref(s, "secretRef", secret_type)),
        )

    return printer


_SCALEIO = ("ScaleIO", "a persistent volume backed by a block device in ScaleIO")


def _scaleio(w: Writer, s: Obj) -> None:
    _fields(
        w,
        *_SCALEIO,
        ("Gateway:", text(s, "gateway")),
        ("System:", text(s, "system")),
        ("Protection Domain:", text(s, "protectionDomain")),
        ("Storage Pool:", text(s, "storagePool")),
        ("Storage Mode:", text(s, "storageMode")),
        ("VolumeName:", text(s, "volumeName")),
        ("FSType:", text(s, "fsType")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _scaleio_pv(w: Writer, s: Obj) -> None:
    _fields(
        w,
        *_SCALEIO,
        ("Gateway:", text(s, "gateway")),
        ("System:", text(s, "system")),
        ("Protection Domain:", text(s, "protectionDomain")),
        ("Storage Pool:", text(s, "storagePool")),
        ("Storage Mode:", text(s, "storageMode")),
        ("VolumeName:", text(s, "volumeName")),
        ("SecretName:", text(s, "secretRef", "name")),
        ("SecretNamespace:", text(s, "secretRef", "namespace")),
        ("FSType:", text(s, "fsType")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _local(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "LocalVolume",
        "a persistent volume backed by local storage on a node",
        ("Path:", text(s, "path")),
    )


def _cephfs(secret_type: str) -> Printer:
    def printer(w: Writer, s: Obj) -> None:
        _fields(
            w,
            "CephFS",
            "a CephFS mount on the host that shares a pod's lifetime",
            ("Monitors:", _list(s, "monitors")),
            ("Path:", text(s, "path")),
            ("User:", text(s, "user")),
            ("SecretFile:", text(s, "secretFile")),
            ("SecretRef:", _ref(s, "secretRef", secret_type)),
            ("ReadOnly:", _b(s, "readOnly")),
        )

    return printer


def _storageos(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "StorageOS",
        "a StorageOS Persistent Disk resource",
        ("VolumeName:", text(s, "volumeName")),
        ("VolumeNamespace:", text(s, "volumeNamespace")),
        ("FSType:", text(s, "fsType")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _fc(w: Writer, s: Obj) -> None:
    lun = dig(s, "lun")
    _fields(
        w,
        "FC",
        "a Fibre Channel disk",
        ("TargetWWNs:", ", ".join(str(x) for x in items(s, "targetWWNs"))),
        ("LUN:", "<none>" if lun is None else str(lun)),
        ("FSType:", text(s, "fsType")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


_AZURE_FILE = ("AzureFile", "an Azure File Service mount on the host and bind mount to the pod")


def _azure_file(w: Writer, s: Obj) -> None:
    _fields(
        w,
        *_AZURE_FILE,
        ("SecretName:", text(s, "secretName")),
        ("ShareName:", text(s, "shareName")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _azure_file_pv(w: Writer, s: Obj) -> None:
    _fields(
        w,
        *_AZURE_FILE,
        ("SecretName:", text(s, "secretName")),
        ("SecretNamespace:", text(s, "secretNamespace")),
        ("ShareName:", text(s, "shareName")),
        ("ReadOnly:", _b(s, "readOnly")),
    )


def _flex(secret_type: str) -> Printer:
    def printer(w: Writer, s: Obj) -> None:
        _fields(
            w,
            "FlexVolume",
            "a generic volume resource that is provisioned/attached using an exec based plugin",
            ("Driver:", text(s, "driver")),
            ("FSType:", text(s, "fsType")),
            ("SecretRef:", _ref(s, "secretRef", secret_type)),
            ("ReadOnly:", _b(s, "readOnly")),
            ("Options:", go_value(string_map(dig(s, "options")))),
        )

    return printer


def _flocker(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "Flocker",
        "a Flocker volume mounted by the Flocker agent",
        ("DatasetName:", text(s, "datasetName")),
        ("DatasetUUID:", text(s, "datasetUUID")),
    )


_CSI = ("CSI", "a Container Storage Interface (CSI) volume source")


def _csi(w: Writer, s: Obj) -> None:
    _fields(
        w,
        *_CSI,
        ("Driver:", text(s, "driver")),
        ("FSType:", text(s, "fsType")),
        ("ReadOnly:", _b(s, "readOnly")),
    )
    _csi_attributes(w, string_map(dig(s, "volumeAttributes")))


def _csi_pv(w: Writer, s: Obj) -> None:
    _fields(
        w,
        *_CSI,
        ("Driver:", text(s, "driver")),
        ("FSType:", text(s, "fsType")),
        ("VolumeHandle:", text(s, "volumeHandle")),
        ("ReadOnly:", _b(s, "readOnly")),
    )
    _csi_attributes(w, string_map(dig(s, "volumeAttributes")))


def _csi_attributes(w: Writer, attributes: dict[str, str]) -> None:
    """kubectl's printCSIPersistentVolumeAttributesMultiline (cut at 140 bytes)."""
    w.write(LEVEL_2, "VolumeAttributes:\t")
    if not attributes:
        w.line("<none>")
        return
    for i, key in enumerate(sorted(attributes)):
        if i:
            w.write(LEVEL_2, "")
            w.write(LEVEL_2, "\t")
        entry = f"{key}={attributes[key]}"
        raw = entry.encode()
        if len(raw) > 140:
            w.write(LEVEL_2, raw[:140].decode(errors="replace") + "...\n")
        else:
            w.write(LEVEL_2, f"{entry}\n")


def _image(w: Writer, s: Obj) -> None:
    _fields(
        w,
        "Image",
        "a container image or OCI artifact",
        ("Reference:", text(s, "reference")),
        ("PullPolicy:", text(s, "pullPolicy")),
    )


_POD_SOURCES: list[tuple[str, Printer]] = [
    ("hostPath", _host_path),
    ("emptyDir", _empty_dir),
    ("gcePersistentDisk", _gce),
    ("awsElasticBlockStore", _aws),
    ("gitRepo", _git_repo),
    ("secret", _secret),
    ("configMap", _config_map),
    ("nfs", _nfs),
    ("iscsi", _iscsi("LocalObjectReference")),
    ("glusterfs", _glusterfs),
    ("persistentVolumeClaim", _claim),
    ("ephemeral", _ephemeral),
    ("rbd", _rbd("LocalObjectReference")),
    ("quobyte", _quobyte),
    ("downwardAPI", _downward_api),
    ("azureDisk", _azure_disk),
    ("vsphereVolume", _vsphere),
    ("cinder", _cinder("LocalObjectReference")),
    ("photonPersistentDisk", _photon),
    ("portworxVolume", _portworx),
    ("scaleIO", _scaleio),
    ("cephfs", _cephfs("LocalObjectReference")),
    ("storageos", _storageos),
    ("fc", _fc),
    ("azureFile", _azure_file),
    ("flexVolume", _flex("LocalObjectReference")),
    ("flocker", _flocker),
    ("projected", _projected),
    ("csi", _csi),
    ("image", _image),
]

_PV_SOURCES: list[tuple[str, Printer]] = [
    ("hostPath", _host_path),
    ("gcePersistentDisk", _gce),
    ("awsElasticBlockStore", _aws),
    ("nfs", _nfs),
    ("iscsi", _iscsi("SecretReference")),
    ("glusterfs", _glusterfs_pv),
    ("rbd", _rbd("SecretReference")),
    ("quobyte", _quobyte),
    ("vsphereVolume", _vsphere),
    ("cinder", _cinder("SecretReference")),
    ("azureDisk", _azure_disk),
    ("photonPersistentDisk", _photon),
    ("portworxVolume", _portworx),
    ("scaleIO", _scaleio_pv),
    ("local", _local),
    ("cephfs", _cephfs("SecretReference")),
    ("storageos", _storageos),
    ("fc", _fc),
    ("azureFile", _azure_file_pv),
    ("flexVolume", _flex("SecretReference")),
    ("flocker", _flocker),
    ("csi", _csi_pv),
]


def _print_source(w: Writer, obj: Obj, sources: list[tuple[str, Printer]]) -> None:
    for field, printer in sources:
        source = dig(obj, field)
        if isinstance(source, dict):
            printer(w, source)
            return
    w.write(LEVEL_1, "<unknown>\n")


def describe_volumes(w: Writer, volumes: list[Any], space: str) -> None:
    """A pod's (or template's) ``Volumes:`` section."""
    if not volumes:
        w.write(LEVEL_0, f"{space}Volumes:\t<none>\n")
        return
    w.write(LEVEL_0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(LEVEL_1, f"{' ' if space else ''}{text(volume, 'name')}:\n")
        _print_source(w, volume, _POD_SOURCES)


def describe_pv_source(w: Writer, spec: Obj) -> None:
    """A PersistentVolume's source block (after ``Source:``)."""
    _print_source(w, spec, _PV_SOURCES)


def access_modes(modes: list[Any]) -> str:
    """kubectl's GetAccessModesAsString: ``RWO,ROX,RWX,RWOP`` in that order."""
    present = set(modes)
    names = (
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    )
    return ",".join(short for mode, short in names if mode in present)


BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"


def claim_class(claim: Obj) -> str:
    """kubectl's GetPersistentVolumeClaimClass: the beta annotation, else the spec field."""
    annotations = annotations_of(claim)
    if BETA_STORAGE_CLASS in annotations:
        return annotations[BETA_STORAGE_CLASS]
    return text(claim, "spec", "storageClassName")


def print_claim(w: Writer, claim: Obj, now: datetime | None) -> None:
    """kubectl's printPersistentVolumeClaim: a whole PVC, or (``now`` None) an ephemeral
    volume's claim template, which has no name, status or finalizers."""
    full = now is not None
    if full:
        w.write(LEVEL_0, f"Name:\t{text(claim, 'metadata', 'name')}\n")
        w.write(LEVEL_0, f"Namespace:\t{text(claim, 'metadata', 'namespace')}\n")
    w.write(LEVEL_0, f"StorageClass:\t{claim_class(claim)}\n")
    if full:
        deletion = dig(claim, "metadata", "deletionTimestamp")
        if deletion is not None and now is not None:
            w.write(LEVEL_0, f"Status:\tTerminating (lasts {since(deletion, now)})\n")
        else:
            w.write(LEVEL_0, f"Status:\t{text(claim, 'status', 'phase')}\n")
    w.write(LEVEL_0, f"Volume:\t{text(claim, 'spec', 'volumeName')}\n")
    labels_multiline(w, "Labels", labels_of(claim))
    annotations_multiline(w, "Annotations", annotations_of(claim))
    if full:
        w.write(LEVEL_0, f"Finalizers:\t{_list(mapping(claim, 'metadata'), 'finalizers')}\n")
    capacity = ""
    modes = ""
    if text(claim, "spec", "volumeName"):
        modes = access_modes(items(claim, "status", "accessModes"))
        capacity = quantity(dig(claim, "status", "capacity", "storage"))
    w.write(LEVEL_0, f"Capacity:\t{capacity}\n")
    w.write(LEVEL_0, f"Access Modes:\t{modes}\n")
    if dig(claim, "spec", "volumeMode") is not None:
        w.write(LEVEL_0, f"VolumeMode:\t{text(claim, 'spec', 'volumeMode')}\n")
    source = dig(claim, "spec", "dataSource")
    if isinstance(source, dict):
        w.write(LEVEL_0, "DataSource:\n")
        if dig(source, "apiGroup") is not None:
            w.write(LEVEL_1, f"APIGroup:\t{text(source, 'apiGroup')}\n")
        w.write(LEVEL_1, f"Kind:\t{text(source, 'kind')}\n")
        w.write(LEVEL_1, f"Name:\t{text(source, 'name')}\n")
