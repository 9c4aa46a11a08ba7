"""``pykctl expose``: create a Service for a pod, service, replication controller, replica set or
deployment.

As kubectl's service generator: the selector comes from ``--selector`` or the exposed object
(a pod's labels, a service's or controller's selector; a deployment or replica set with
``matchExpressions`` cannot be exposed), the ports from ``--port`` or the object's container
(or service) ports, one per port with ``port-N`` names when there are several, protocols from
``--protocol`` or the object's ports, labels from ``-l`` or the object. The Service is built in
the Go struct's field order, patched by ``--overrides`` and created (``exposed``). Values found
for one object carry over to the next, as they do in kubectl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pykctl.cli.command import Help, Invocation, KCommand
from pykctl.cli.commands.objects import (
    CLIENT,
    ObjectPrinter,
    apply_overrides,
    as_typed,
    create_object,
    dry_run_strategy,
    field_manager_flag,
    open_targets,
    override_flags,
    print_flags,
    save_config_flag,
)
from pykctl.cli.commands.run import parse_label_list
from pykctl.cli.errors import CommandError
from pykctl.cli.flags import STRING, Flag
from pykctl.cli.shared_flags import dry_run_flag, filename_flags
from pykctl.resources.builder import Info
from pykctl.resources.targets import TargetSpec, aggregate

Obj = dict[str, Any]
EXPOSABLE = {
    ("", "ReplicationController"),
    ("", "Service"),
    ("", "Pod"),
    ("apps", "Deployment"),
    ("apps", "ReplicaSet"),
    ("extensions", "Deployment"),
    ("extensions", "ReplicaSet"),
}
DNS1035_LABEL_MAX = 63


def _make_labels(labels: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in labels.items())


def selector_of(obj: Obj) -> str:
    """The pod selector of an exposed object (kubectl's MapBasedSelectorForObject)."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if not labels:
            raise CommandError("the pod has no labels and cannot be exposed")
        return _make_labels(labels)
    if kind == "Service":
        if spec.get("selector") is None:
            raise CommandError("the service has no pod selector set")
        return _make_labels(spec["selector"])
    if kind == "ReplicationController":
        return _make_labels(spec.get("selector") or {})
    selector = spec.get("selector") or {}
    if not selector.get("matchLabels"):
        noun = "deployment" if kind == "Deployment" else "replicaset"
        raise CommandError(f"invalid {noun}: no selectors, therefore cannot be exposed")
    if selector.get("matchExpressions"):
        expressions = " ".join(_go_struct(e) for e in selector["matchExpressions"])
        raise CommandError(
            f'couldn\'t convert expressions - "[{expressions}]" to map-based selector format'
        )
    return _make_labels(selector.get("matchLabels") or {})


def _go_struct(expression: Obj) -> str:
    """``%+v`` of a LabelSelectorRequirement."""
    values = " ".join(str(v) for v in expression.get("values") or [])
    return (
        f"{{Key:{expression.get('key', '')} Operator:{expression.get('operator', '')} "
        f"Values:[{values}]}}"
    )


def _pod_spec(obj: Obj) -> Obj:
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        return spec
    return ((spec.get("template") or {}).get("spec")) or {}


def ports_of(obj: Obj) -> list[str]:
    """The ports an exposed object offers, without repeats (kubectl's PortsForObject)."""
    if obj.get("kind") == "Service":
        found = [str(p.get("port", 0)) for p in (obj.get("spec") or {}).get("ports") or []]
    else:
        found = [
            str(p.get("containerPort", 0))
            for c in _pod_spec(obj).get("containers") or []
            for p in c.get("ports") or []
        ]
    return list(dict.fromkeys(found))


def protocols_of(obj: Obj) -> dict[str, list[str]]:
    """Each port's protocols (kubectl's MultiProtocolsForObject)."""
    found: dict[str, list[str]] = {}
    if obj.get("kind") == "Service":
        for p in (obj.get("spec") or {}).get("ports") or []:
            found.setdefault(str(p.get("port", 0)), []).append(str(p.get("protocol") or ""))
        return found
    for c in _pod_spec(obj).get("containers") or []:
        for p in c.get("ports") or []:
            found.setdefault(str(p.get("containerPort", 0)), []).append(p.get("protocol") or "TCP")
    return found


def _go_atoi(text: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise CommandError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    return int(text)


@dataclass
class ServiceSpec:
    """What the flags (and the objects exposed so far) say about the Service to create."""

    name: str = ""
    default_name: str = ""
    selector: str = ""
    labels: str = ""
    port: str = ""
    ports: str = ""
    protocol: str = ""
    protocols: dict[str, list[str]] = field(default_factory=dict)
    target_port: str = ""
    external_ip: str = ""
    type: str = ""
    load_balancer_ip: str = ""
    session_affinity: str = ""
    cluster_ip: str = ""

    def _ports(self) -> list[Obj]:
        text = self.ports or self.port
        if not text:
            return []
        items = text.split(",")
        result: list[Obj] = []
        for index, item in enumerate(items):
            number = _go_atoi(item)
            name = f"port-{index + 1}" if len(items) > 1 else ""
            protocol = self.protocol
            if not protocol and not self.protocols:
                protocol = "TCP"
            elif not protocol:
                protocol = "TCP"
                found = self.protocols.get(item)
                if found and len(found) == 1:
                    protocol = found[0]
                elif found:
                    for each in found:
                        result.append(
                            {
                                "name": f"port-{index + 1}-{each.lower()}",
                                "protocol": each,
                                "port": number,
                            }
                        )
                    continue
            port: Obj = {"name": name} if name else {}
            port.update({"protocol": protocol, "port": number})
            result.append(port)
        return result

    def build(self) -> Obj:
        """The Service, in the Go struct's field order."""
        if not self.selector:
            raise CommandError("selector must be specified")
        selector = parse_label_list(self.selector)
        labels = parse_label_list(self.labels) if self.labels else {}
        name = self.name or self.default_name
        if not name:
            raise CommandError("name must be specified")
        ports = self._ports()
        target: int | str | None = None
        if self.target_port:
            target = self.target_port
            if re.fullmatch(r"[+-]?[0-9]+", target) and -(2**31) <= int(target) < 2**31:
                target = int(target)
        for port in ports:
            port["targetPort"] = target if target is not None else port["port"]
        spec: Obj = {}
        if ports:
            spec["ports"] = ports
        spec["selector"] = dict(sorted(selector.items()))
        if self.cluster_ip:
            spec["clusterIP"] = self.cluster_ip
        if self.type:
            spec["type"] = self.type
        if self.external_ip:
            spec["externalIPs"] = [self.external_ip]
        if self.session_affinity:
            if self.session_affinity not in ("None", "ClientIP"):
                raise CommandError(f"unknown session affinity: {self.session_affinity}")
            spec["sessionAffinity"] = self.session_affinity
        if self.type == "LoadBalancer" and self.load_balancer_ip:
            spec["loadBalancerIP"] = self.load_balancer_ip
        metadata: Obj = {"name": name}
        if labels:
            metadata["labels"] = dict(sorted(labels.items()))
        return {
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": metadata,
            "spec": spec,
            "status": {"loadBalancer": {}},
        }


def _learn(service: ServiceSpec, info: Info) -> None:
    """Fill what the flags left open from the exposed object (kubectl's RunExpose)."""
    obj = info.obj or {}
    resource = info.resource
    if (resource.group, resource.kind) not in EXPOSABLE:
        group_kind = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
        raise CommandError(f"cannot expose a {group_kind}")
    service.default_name = (info.name or "")[:DNS1035_LABEL_MAX]
    if not service.selector:
        try:
            service.selector = selector_of(obj)
        except CommandError as err:
            raise CommandError(
                f"couldn't retrieve selectors via --selector flag or introspection: {err}"
            ) from None
    if not service.port:
        ports = ports_of(obj)
        if not ports and service.cluster_ip != "None":
            raise CommandError("couldn't find port via --port flag or introspection")
        if len(ports) == 1:
            service.port = ports[0]
        elif ports:
            service.ports = ",".join(ports)
    protocols = protocols_of(obj)
    if protocols:
        service.protocols = protocols
    if not service.labels:
        service.labels = _make_labels((obj.get("metadata") or {}).get("labels") or {})


def run(inv: Invocation) -> int:
    flags = inv.flags
    dry_run = dry_run_strategy(inv)
    printer = ObjectPrinter.from_flags(inv, dry_run).check()
    service = ServiceSpec(
        name=flags["name"],
        selector=flags["selector"],
        labels=flags["labels"],
        port=flags["port"],
        protocol=flags["protocol"],
        target_port=flags["target_port"],
        external_ip=flags["external_ip"],
        type=flags["type"],
        load_balancer_ip=flags["load_balancer_ip"],
        session_affinity=flags["session_affinity"],
        cluster_ip=flags["cluster_ip"],
    )
    spec = TargetSpec(
        args=list(inv.args),
        filenames=flags["filename"],
        recursive=flags["recursive"],
        kustomize=flags["kustomize"],
    )
    errors: list[BaseException] = []
    with open_targets(inv, spec) as targets:
        targets.resolve()
        for visited in targets.visit():
            if isinstance(visited, BaseException):
                errors.append(visited)
                continue
            try:
                _learn(service, visited)
                obj = apply_overrides(service.build(), flags["overrides"], flags["override_type"])
                if dry_run == CLIENT:
                    if targets.enforce_namespace:
                        meta = obj["metadata"]
                        obj["metadata"] = {
                            "name": meta["name"],
                            "namespace": targets.namespace,
                            **meta,
                        }
                    shown, _ = as_typed(obj)
                    printer.print(shown, "exposed", inv.stdout, typed=True)
                    continue
                created = create_object(
                    targets.client,
                    targets.mapper.resource_for("services"),
                    targets.namespace,
                    obj,
                    dry_run,
                    flags,
                )
                shown, typed = as_typed(created)
                printer.print(shown, "exposed", inv.stdout, typed=typed)
            except Exception as err:  # kubectl carries on with the next object
                errors.append(err)
    if errors:
        raise aggregate(errors)
    return 0


HELP = Help(
    use="expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type]",
    short="Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service",
    long="""Expose a resource as a new Kubernetes service.

 Looks up a deployment, service, replica set, replication controller or pod by name and uses the selector for that resource as the selector for a new service on the specified port. A deployment or replica set will be exposed as a service only if its selector is convertible to a selector that service supports, i.e. when the selector contains only the matchLabels component. Note that if no port is specified via --port and the exposed resource has multiple ports, all will be re-used by the new service. Also if no labels are specified, the new service will re-use the labels from the resource it exposes.

 Possible resources include (case insensitive):

 pod (po), service (svc), replicationcontroller (rc), deployment (deploy), replicaset (rs)""",
    example="""# Create a service for a replicated nginx, which serves on port 80 and connects to the containers on port 8000
pykctl expose rc nginx --port=80 --target-port=8000

# Create a service for a replication controller identified by type and name specified in "nginx-controller.yaml", which serves on port 80 and connects to the containers on port 8000
pykctl expose -f nginx-controller.yaml --port=80 --target-port=8000

# Create a service for a pod valid-pod, which serves on port 444 with the name "frontend"
pykctl expose pod valid-pod --port=444 --name=frontend

# Create a second service based on the above service, exposing the container port 8443 as port 443 with the name "nginx-https"
pykctl expose service nginx --port=443 --target-port=8443 --name=nginx-https

# Create a service for a replicated streaming application on port 4100 balancing UDP traffic and named 'video-stream'.
pykctl expose rc streamer --port=4100 --protocol=UDP --name=video-stream

# Create a service for a replicated nginx using replica set, which serves on port 80 and connects to the containers on port 8000
pykctl expose rs nginx --port=80 --target-port=8000

# Create a service for an nginx deployment, which serves on port 80 and connects to the containers on port 8000
pykctl expose deployment nginx --port=80 --target-port=8000""",
)

FLAGS = [
    Flag(
        "cluster-ip",
        STRING,
        usage="ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to "
        "'None' to create a headless service.",
    ),
    dry_run_flag(),
    Flag(
        "external-ip",
        STRING,
        usage="Additional external IP address (not managed by Kubernetes) to accept for the "
        "service. If this IP is routed to a node, the service can be accessed by this IP in "
        "addition to its generated service IP.",
    ),
    field_manager_flag("kubectl-expose"),
    *filename_flags(
        "Filename, directory, or URL to files identifying the resource to expose a service"
    ),
    Flag(
        "labels",
        STRING,
        shorthand="l",
        usage="Labels to apply to the service created by this call.",
    ),
    Flag(
        "load-balancer-ip",
        STRING,
        usage="IP to assign to the LoadBalancer. If empty, an ephemeral IP will be created and "
        "used (cloud-provider specific).",
    ),
    Flag("name", STRING, usage="The name for the newly created object."),
    *override_flags(),
    Flag(
        "port",
        STRING,
        usage="The port that the service should serve on. Copied from the resource being "
        "exposed, if unspecified",
    ),
    Flag(
        "protocol",
        STRING,
        usage="The network protocol for the service to be created. Default is 'TCP'.",
    ),
    save_config_flag(),
    Flag(
        "selector",
        STRING,
        usage="A label selector to use for this service. Only equality-based selector "
        "requirements are supported. If empty (the default) infer the selector from the "
        "resource being exposed.",
    ),
    Flag(
        "session-affinity",
        STRING,
        usage="If non-empty, set the session affinity for the service to this; legal values: "
        "'None', 'ClientIP'",
    ),
    Flag(
        "target-port",
        STRING,
        usage="Name or number for the port on the container that the service should direct "
        "traffic to. Optional.",
    ),
    Flag(
        "type",
        STRING,
        usage="Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. "
        "Default is 'ClusterIP'.",
    ),
    *print_flags(),
]

expose = KCommand("expose", run, HELP, FLAGS)
