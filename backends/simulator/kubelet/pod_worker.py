"""One pod's life on a node: the kubelet's SyncPod loop for a single pod.

A :class:`PodWorker` is level-triggered: ``kick()`` (a change to the pod, a container exit, a
probe result, a timer) makes it re-read the pod and converge, one sync at a time:

1. pod gone from the store → stop everything and clean up;
2. marked for deletion → preStop hooks, SIGTERM, ``deletionGracePeriodSeconds``, SIGKILL
   (sidecars after the other containers), a final status, then delete it with grace 0;
3. sandbox: pod IP, ``/etc/hosts``, volumes (FailedMount events until they can be set up);
4. init containers one at a time (sidecars started and kept running once started), then
   every container that should run, by the restart policy, with the crash-loop back-off;
5. the status, written through the status subresource when it changed.

Starting a container: the image (Pulling/Pulled events, ErrImagePull then ImagePullBackOff for
an image the catalog cannot run), its configuration (environment, mounts;
CreateContainerConfigError), the process (Created/Started, or StartError), probes and the
postStart hook. A failed liveness or startup probe kills the container with the probe's grace
period; it is then restarted like any exited container. Events and messages are the kubelet's.

Invariants: syncs of one pod never overlap; the pod is read from the store and never mutated;
its status is written only when it changed, and only through the status subresource.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backends.simulator.kubelet import images, isolation, timing
from backends.simulator.kubelet.backoff import go_duration
from backends.simulator.kubelet.env import ConfigError, PodAddresses, container_env, expand_argv
from backends.simulator.kubelet.hooks import pod_ref, run_hook
from backends.simulator.kubelet.images import Image, ImageError
from backends.simulator.kubelet.isolation import Mount
from backends.simulator.kubelet.probes import ExecProbeError, ProbeWorker, Target
from backends.simulator.kubelet.resources import Limits
from backends.simulator.kubelet.runtime import Container, ContainerSpec, StartError, container_id
from backends.simulator.kubelet.status import (
    REMAP_CONDITION,
    ContainerView,
    Instance,
    PodView,
    build_status,
    is_sidecar,
    should_restart,
)
from backends.simulator.kubelet.volumes import MountError, PodVolumes

if TYPE_CHECKING:
    from backends.simulator.kubelet.kubelet import Kubelet

Obj = dict[str, Any]
log = logging.getLogger("pykctl.simulator.kubelet")
RESYNC_SECONDS = 60.0
RETRY_SECONDS = 10.0
IMAGE_RESYNC_SECONDS = 1.0  # a pull failure is followed by a sync that shows the back-off
MOUNT_RETRY_SECONDS = 2.0
MINIMUM_GRACE_SECONDS = 2.0
DEFAULT_GRACE_SECONDS = 30.0
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MANAGED_HOSTS_HEADER = "# Kubernetes-managed hosts file.\n"
DEADLINE_REASON = "DeadlineExceeded"
DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


def instance_of(container: Container) -> Instance:
    """The status view of a runtime container."""
    return Instance(
        container.full_id,
        container.spec.image.name,
        container.spec.image.image_id,
        "running" if container.state != "exited" else "exited",
        container.started_at,
        container.finished_at,
        container.exit_code or 0,
        container.reason,
        container.message,
    )


@dataclass
class Slot:
    """Everything the worker tracks for one container of the pod."""

    spec: Obj
    is_init: bool
    container: Container | None = None  # the live (or last) runtime instance
    dead: Instance | None = None  # the last instance when it never got a process (StartError)
    previous: Instance | None = None
    restart_count: int = 0
    waiting: tuple[str, str] | None = None
    probes: dict[str, ProbeWorker] = field(default_factory=dict)
    ready: bool = False
    started: bool = False
    finished_at: float = 0.0  # monotonic time the current instance ended
    killing: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return str(self.spec.get("name") or "")

    @property
    def field_path(self) -> str:
        kind = "initContainers" if self.is_init else "containers"
        return f"spec.{kind}{{{self.name}}}"

    def instance(self) -> Instance | None:
        if self.container is not None and self.dead is None:
            return instance_of(self.container)
        return self.dead

    @property
    def running(self) -> bool:
        return self.container is not None and self.dead is None and self.container.state != "exited"


class PodWorker:
    """Keeps one pod's containers as its spec and restart policy want them."""

    def __init__(self, kubelet: Kubelet, pod: Obj) -> None:
        metadata = pod.get("metadata") or {}
        self.kubelet = kubelet
        self.namespace = str(metadata.get("namespace") or "")
        self.name = str(metadata.get("name") or "")
        self.uid = str(metadata.get("uid") or "")
        self.pod = pod
        self.slots: dict[str, Slot] = {}
        spec = pod.get("spec") or {}
        for container in spec.get("initContainers") or []:
            self.slots[str(container.get("name"))] = Slot(container, True)
        for container in spec.get("containers") or []:
            self.slots[str(container.get("name"))] = Slot(container, False)
        self._adopt(pod)
        self.pod_dir = os.path.join(kubelet.root, "pods", self.uid)
        self.volumes = PodVolumes(self.pod_dir)
        self.pod_ip = ""
        self.sandbox_ready = False
        self.terminal = False
        self.failure: tuple[str, str] | None = None
        self.done = False
        self.silenced = False  # the daemon is going away: no more writes
        self._wake = asyncio.Event()
        self._rescheduled = asyncio.Event()
        self._next: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_refresh = 0.0
        self._mount_warned: set[str] = set()

    # --------------------------------------------------------------------- lifecycle

    def _adopt(self, pod: Obj) -> None:
        """Carry restart counts over from a status written before a daemon restart."""
        status = pod.get("status") or {}
        for item in (status.get("containerStatuses") or []) + (
            status.get("initContainerStatuses") or []
        ):
            slot = self.slots.get(str(item.get("name")))
            if slot is None:
                continue
            slot.restart_count = int(item.get("restartCount") or 0)
            if (item.get("state") or {}).get("running") is not None:
                slot.restart_count += 1
                slot.previous = Instance(
                    str(item.get("containerID") or ""), str(item.get("image") or ""),
                    str(item.get("imageID") or ""), "exited", exit_code=137,
                    reason="ContainerStatusUnknown",
                    message="The container could not be located when the pod was deleted.  The container used to be Running",
                )  # fmt: skip
            elif (item.get("state") or {}).get("terminated") is not None:
                term = item["state"]["terminated"]
                slot.dead = Instance(
                    str(term.get("containerID") or ""), str(item.get("image") or ""),
                    str(item.get("imageID") or ""), "exited", _parse(term.get("startedAt")),
                    _parse(term.get("finishedAt")), int(term.get("exitCode") or 0),
                    str(term.get("reason") or ""), str(term.get("message") or ""),
                )  # fmt: skip
                slot.finished_at = _monotonic_of(term.get("finishedAt"), self.kubelet)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def kick(self) -> None:
        self._wake.set()

    def schedule(self, seconds: float) -> None:
        """Sync again after ``seconds`` (on the injected clock)."""
        at = self.kubelet.clock.monotonic() + max(0.0, seconds)
        self._next = at if self._next is None else min(self._next, at)
        self._rescheduled.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception:  # pragma: no cover - a bug must not stop the node
                log.exception("sync of pod %s/%s failed", self.namespace, self.name)
                self.schedule(RETRY_SECONDS)
            if self.done:
                return
            await self._sleep()

    async def _sleep(self) -> None:
        """Until kicked, or the next scheduled sync, or the periodic resync."""
        clock = self.kubelet.clock
        resync = clock.monotonic() + RESYNC_SECONDS
        while True:
            self._rescheduled.clear()
            deadline = resync if self._next is None else min(self._next, resync)
            if self._wake.is_set() or clock.monotonic() >= deadline:
                break
            waiters = {
                asyncio.ensure_future(self._wake.wait()),
                asyncio.ensure_future(self._rescheduled.wait()),
                asyncio.ensure_future(timing.sleep(clock, deadline - clock.monotonic())),
            }
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
        self._wake.clear()
        if self._next is not None and clock.monotonic() >= self._next:
            self._next = None

    async def stop(self) -> None:
        """The daemon is stopping: kill every container at once, write nothing."""
        self.done = True
        self.silenced = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for slot in self.slots.values():
            await self._stop_probes(slot)
            if slot.killing is not None:
                slot.killing.cancel()
            if slot.running and slot.container is not None:
                await slot.container.stop(0)

    # -------------------------------------------------------------------------- sync

    async def sync(self) -> None:
        kubelet = self.kubelet
        pod = kubelet.rest.store.get("/pods", self.namespace, self.name)
        if pod is None or (pod.get("metadata") or {}).get("uid") != self.uid:
            await self._teardown(MINIMUM_GRACE_SECONDS)
            return
        self.pod = pod
        metadata = pod.get("metadata") or {}
        if metadata.get("deletionTimestamp"):
            await self._terminate()
            return
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            self.terminal = True
            await self._stop_all(self._grace(), "Stopping container {}")
            self.sandbox_ready = False
            self.publish()
            return
        if not self.sandbox_ready:
            ready = self._setup_sandbox()
            self.publish()  # ContainerCreating, with the pod IP once the sandbox is there
            if not ready:
                return
        elif kubelet.clock.monotonic() - self._last_refresh > RESYNC_SECONDS:
            self.volumes.refresh(pod, kubelet.volume_host(), self._addresses())
            self._last_refresh = kubelet.clock.monotonic()
        if self._deadline_exceeded():
            await self._finish((DEADLINE_REASON, DEADLINE_MESSAGE))
            return
        initialized = await self._sync_init_containers()
        if initialized is None:  # an init container failed for good
            await self._finish()
            return
        if initialized:
            for slot in self._regular():
                if self.pod_deleted():
                    return
                if slot.running or slot.killing is not None:
                    continue
                if slot.instance() is None or should_restart(slot.spec, self.pod, self._view(slot)):
                    await self._start(slot)
            if self._regular_done():
                await self._finish()
                return
        self.publish()

    def pod_deleted(self) -> bool:
        pod = self.kubelet.rest.store.get("/pods", self.namespace, self.name)
        return pod is None or bool((pod.get("metadata") or {}).get("deletionTimestamp"))

    def _regular(self) -> list[Slot]:
        return [slot for slot in self.slots.values() if not slot.is_init]

    def _regular_done(self) -> bool:
        """Every regular container has exited and the restart policy restarts none."""
        for slot in self._regular():
            instance = slot.instance()
            if instance is None or slot.running or slot.killing is not None:
                return False
            if should_restart(slot.spec, self.pod, self._view(slot)):
                return False
        return True

    async def _sync_init_containers(self) -> bool | None:
        """True when every init container is done (sidecars: started); None when the pod
        failed for good; False while initializing."""
        policy = (self.pod.get("spec") or {}).get("restartPolicy") or "Always"
        for slot in [s for s in self.slots.values() if s.is_init]:
            instance = slot.instance()
            if is_sidecar(slot.spec):
                if not slot.running and slot.killing is None:
                    await self._start(slot)
                if not (slot.running and slot.started):
                    return False
                continue
            if instance is not None and instance.state == "exited" and instance.exit_code == 0:
                continue
            if slot.running or slot.killing is not None:
                return False
            if instance is not None and policy == "Never":
                return None
            await self._start(slot)
            return False
        return True

    # ------------------------------------------------------------------------ sandbox

    def _addresses(self) -> PodAddresses:
        return PodAddresses((self.pod_ip,) if self.pod_ip else (), tuple(self.kubelet.host_ips()))

    def _setup_sandbox(self) -> bool:
        kubelet = self.kubelet
        pod = self.pod
        self.pod_ip = kubelet.addresses.allocate(self.uid, kubelet.pod_network())
        os.makedirs(self.pod_dir, exist_ok=True)
        self._write_etc_files()
        try:
            self.volumes.setup(pod, kubelet.volume_host(), self._addresses())
        except MountError as err:
            kubelet.recorder.event(pod, "Warning", "FailedMount", str(err))
            self.schedule(MOUNT_RETRY_SECONDS)
            return False
        for warning in self.volumes.warnings:
            if warning not in self._mount_warned:
                self._mount_warned.add(warning)
                kubelet.recorder.event(pod, "Warning", "VolumeNotSupported", warning)
        if isolation.isolation_mode() == isolation.PLAIN:
            kubelet.recorder.event(
                pod, "Normal", "NoIsolation",
                "bubblewrap is not available: containers run as plain processes on the node; "
                "volume paths in their commands are rewritten to the host directories that back them",
            )  # fmt: skip
        self._last_refresh = kubelet.clock.monotonic()
        self.sandbox_ready = True
        return True

    def hostname(self) -> str:
        spec = self.pod.get("spec") or {}
        return str(spec.get("hostname") or self.name)[:63]

    def _write_etc_files(self) -> None:
        spec = self.pod.get("spec") or {}
        lines = [
            MANAGED_HOSTS_HEADER,
            "127.0.0.1\tlocalhost\n",
            "::1\tlocalhost ip6-localhost ip6-loopback\n",
            "fe00::0\tip6-localnet\n",
            "fe00::0\tip6-mcastprefix\n",
            "fe00::1\tip6-allnodes\n",
            "fe00::2\tip6-allrouters\n",
        ]
        hostname = self.hostname()
        if spec.get("subdomain"):
            fqdn = f"{hostname}.{spec['subdomain']}.{self.namespace}.svc.cluster.local"
            lines.append(f"{self.pod_ip}\t{fqdn}\t{hostname}\n")
        else:
            lines.append(f"{self.pod_ip}\t{hostname}\n")
        aliases = spec.get("hostAliases") or []
        if aliases:
            lines.append("\n# Entries added by HostAliases.\n")
            for alias in aliases:
                lines.append(
                    f"{alias.get('ip')}\t" + "\t".join(alias.get("hostnames") or []) + "\n"
                )
        with open(os.path.join(self.pod_dir, "etc-hosts"), "w", encoding="utf-8") as f:
            f.write("".join(lines))
        with open(os.path.join(self.pod_dir, "etc-hostname"), "w", encoding="utf-8") as f:
            f.write(hostname + "\n")
        resolv = self.kubelet.resolv_conf(self.pod)  # None: the host's file (dnsPolicy Default)
        if resolv is not None:
            with open(os.path.join(self.pod_dir, "etc-resolv.conf"), "w", encoding="utf-8") as f:
                f.write(resolv)

    def _deadline_exceeded(self) -> bool:
        deadline = (self.pod.get("spec") or {}).get("activeDeadlineSeconds")
        current = self.kubelet.rest.store.get("/pods", self.namespace, self.name) or self.pod
        started = (current.get("status") or {}).get("startTime")
        if not deadline or not started:
            return False
        elapsed = (self.kubelet.clock.now() - _parse(started)).total_seconds()  # type: ignore[operator]
        if elapsed < float(deadline):
            self.schedule(float(deadline) - elapsed)
            return False
        self.kubelet.recorder.event(self.pod, "Normal", DEADLINE_REASON, DEADLINE_MESSAGE)
        return True

    # ---------------------------------------------------------------------- starting

    def _backoff_key(self, slot: Slot) -> str:
        return f"{self.uid}/{slot.name}"

    async def _start(self, slot: Slot) -> None:
        """Start a new instance of ``slot`` unless backing off; failures set its waiting reason."""
        kubelet = self.kubelet
        clock = kubelet.clock
        pod = self.pod
        instance = slot.instance()
        if instance is not None and instance.state == "exited":
            key = self._backoff_key(slot)
            if kubelet.backoff.in_backoff_since(key, slot.finished_at, clock.monotonic()):
                delay = kubelet.backoff.get(key)
                kubelet.recorder.event(
                    pod, "Warning", "BackOff",
                    f"Back-off restarting failed container {slot.name} in pod {pod_ref(pod)}",
                    slot.field_path,
                )  # fmt: skip
                slot.waiting = (
                    "CrashLoopBackOff",
                    f"back-off {go_duration(delay)} restarting failed container={slot.name} pod={pod_ref(pod)}",
                )
                self.schedule(kubelet.backoff.remaining(key, slot.finished_at, clock.monotonic()))
                return
            kubelet.backoff.next(key, slot.finished_at)
        image = await self._ensure_image(slot)
        if image is None:
            return
        try:
            attempt = slot.restart_count + (1 if instance is not None else 0)
            spec = self._container_spec(slot, image, attempt)
        except (ConfigError, MountError) as err:
            message = str(err)
            slot.waiting = ("CreateContainerConfigError", message)
            kubelet.recorder.event(pod, "Warning", "Failed", f"Error: {message}", slot.field_path)
            self.schedule(RETRY_SECONDS)
            return
        if instance is not None:
            slot.previous = instance
            slot.restart_count += 1
        kubelet.recorder.event(pod, "Normal", "Created", "Container created", slot.field_path)
        try:
            container = await kubelet.runtime.start(spec)
        except StartError as err:
            now = clock.now()
            slot.container = None
            slot.dead = Instance(
                container_id(secrets.token_hex(32)), image.name, image.image_id, "exited",
                EPOCH, now, 128, "StartError", str(err),
            )  # fmt: skip
            slot.finished_at = clock.monotonic()
            slot.started = slot.ready = False
            slot.waiting = ("RunContainerError", str(err))
            kubelet.recorder.event(pod, "Warning", "Failed", f"Error: {err}", slot.field_path)
            self.kick()
            return
        slot.container = container
        slot.dead = None
        slot.waiting = None
        slot.started = slot.ready = False
        container.on_exit.append(functools.partial(self._exited, slot))
        kubelet.recorder.event(pod, "Normal", "Started", "Container started", slot.field_path)
        self._start_probes(slot)
        post_start = ((slot.spec.get("lifecycle") or {}).get("postStart")) or None
        if post_start:  # the kubelet reports the container only once its hook has run
            failure = await run_hook(
                post_start, slot.name, pod, self._target(slot), clock, self._grace()
            )
            if failure is not None and container.state != "exited":
                kubelet.recorder.event(
                    pod, "Warning", "FailedPostStartHook", failure, slot.field_path
                )
                kubelet.recorder.event(
                    pod, "Normal", "Killing", "FailedPostStartHook", slot.field_path
                )
                self._kill(slot, self._grace())
        self.publish()

    async def _ensure_image(self, slot: Slot) -> Image | None:
        kubelet = self.kubelet
        pod = self.pod
        name = str(slot.spec.get("image") or "")
        policy = slot.spec.get("imagePullPolicy") or "IfNotPresent"
        try:
            image = images.resolve(name, bool(slot.spec.get("command")))
        except ImageError as err:
            if err.reason == "InvalidImageName":
                kubelet.recorder.event(pod, "Warning", "InspectFailed", str(err), slot.field_path)
                slot.waiting = ("InvalidImageName", str(err))
                return None
            if policy == "Never":
                message = f'Container image "{name}" is not present with pull policy of Never'
                kubelet.recorder.event(
                    pod, "Warning", "ErrImageNeverPull", message, slot.field_path
                )
                slot.waiting = ("ErrImageNeverPull", message)
                return None
            key = f"{self.uid}_{name}"
            now = kubelet.clock.monotonic()
            if kubelet.image_backoff.in_backoff_since_update(key, now):
                message = f'Back-off pulling image "{name}"'
                kubelet.recorder.event(pod, "Normal", "BackOff", message, slot.field_path)
                kubelet.recorder.event(
                    pod, "Warning", "Failed", "Error: ImagePullBackOff", slot.field_path
                )
                slot.waiting = ("ImagePullBackOff", f"{message}: ErrImagePull: {err}")
                last = kubelet.image_backoff.last_update(key) or now
                self.schedule(kubelet.image_backoff.remaining(key, last, now))
                return None
            kubelet.recorder.event(
                pod, "Normal", "Pulling", f'Pulling image "{name}"', slot.field_path
            )
            kubelet.recorder.event(
                pod, "Warning", "Failed", f'Failed to pull image "{name}": {err}', slot.field_path
            )
            kubelet.image_backoff.next(key, now)
            kubelet.recorder.event(pod, "Warning", "Failed", "Error: ErrImagePull", slot.field_path)
            slot.waiting = ("ErrImagePull", str(err))
            self.schedule(min(IMAGE_RESYNC_SECONDS, kubelet.image_backoff.get(key)))
            return None
        present = image.name in kubelet.pulled
        if policy == "Never" and not present and image.kind != "pause":
            message = f'Container image "{name}" is not present with pull policy of Never'
            kubelet.recorder.event(pod, "Warning", "ErrImageNeverPull", message, slot.field_path)
            slot.waiting = ("ErrImageNeverPull", message)
            return None
        if policy == "Always" or not present:
            kubelet.recorder.event(
                pod, "Normal", "Pulling", f'Pulling image "{name}"', slot.field_path
            )
            began = time.monotonic()
            await asyncio.sleep(image.size / kubelet.pull_bytes_per_second)
            took = go_duration(time.monotonic() - began)
            kubelet.pulled.add(image.name)
            kubelet.recorder.event(
                pod, "Normal", "Pulled",
                f'Successfully pulled image "{name}" in {took} ({took} including waiting). '
                f"Image size: {image.size} bytes.",
                slot.field_path,
            )  # fmt: skip
        else:
            kubelet.recorder.event(
                pod, "Normal", "Pulled",
                f'Container image "{name}" already present on machine and can be accessed by the pod',
                slot.field_path,
            )  # fmt: skip
        return image

    def _container_spec(self, slot: Slot, image: Image, attempt: int) -> ContainerSpec:
        kubelet = self.kubelet
        pod = self.pod
        container = slot.spec
        env = container_env(
            pod, container, self._addresses(), kubelet.env_sources(), dict(image.env)
        )
        env.setdefault("HOSTNAME", self.hostname())
        env.setdefault("HOME", "/root" if image.uid == 0 else "/")
        command = container.get("command")
        args = container.get("args")
        argv = expand_argv(images.argv_for(image, command, args), env)
        mounts = self.volumes.mounts_for(container, env)
        mounted = {os.path.normpath(m.destination) for m in mounts}
        for destination, source in (
            ("/etc/hosts", "etc-hosts"),
            ("/etc/hostname", "etc-hostname"),
            ("/etc/resolv.conf", "etc-resolv.conf"),
        ):
            if destination not in mounted and os.path.exists(os.path.join(self.pod_dir, source)):
                mounts.append(Mount(destination, os.path.join(self.pod_dir, source), True))
        for directory, source in kubelet.image_directories(image).items():
            if not any(
                directory == d or directory.startswith(d.rstrip("/") + "/") for d in mounted
            ):
                mounts.append(Mount(directory, source, True))
        status = self.pod.get("status") or {}
        return ContainerSpec(
            pod_uid=self.uid,
            namespace=self.namespace,
            pod_name=self.name,
            name=slot.name,
            attempt=attempt,
            image=image,
            argv=argv,
            env=env,
            working_dir=str(container.get("workingDir") or image.working_dir),
            hostname=self.hostname(),
            mounts=mounts,
            pod_ip=self.pod_ip,
            pod_dir=self.pod_dir,
            limits=Limits.of(container),
            qos=str(status.get("qosClass") or "BestEffort"),
            stdin=bool(container.get("stdin")),
            stdin_once=bool(container.get("stdinOnce")),
            tty=bool(container.get("tty")),
            termination_message_path=str(
                container.get("terminationMessagePath") or "/dev/termination-log"
            ),
            termination_message_policy=str(container.get("terminationMessagePolicy") or "File"),
            port_offset=kubelet.port_offset,
        )

    # -------------------------------------------------------------------------- probes

    def _target(self, slot: Slot) -> Target:
        ports = {
            str(p.get("name")): int(p.get("containerPort"))
            for p in slot.spec.get("ports") or []
            if p.get("name") and p.get("containerPort")
        }
        container = slot.container

        async def runner(argv: list[str], timeout: float) -> tuple[int, str]:
            if container is None or container.state == "exited":
                raise ExecProbeError("container is not running")
            return await self.kubelet.exec_output(container, argv, timeout)

        return Target(self.pod_ip, self.kubelet.node_ip(), ports, runner)

    def _start_probes(self, slot: Slot) -> None:
        assert slot.container is not None
        started_at = self.kubelet.clock.monotonic()
        startup = slot.spec.get("startupProbe")
        for kind in ("startup", "readiness", "liveness"):
            probe = slot.spec.get(f"{kind}Probe")
            if not probe:
                continue
            if kind == "readiness" and slot.is_init and not is_sidecar(slot.spec):
                continue
            worker = ProbeWorker(
                kind, probe, self._target(slot), self.kubelet.clock, started_at,
                functools.partial(self._probe_result, slot),
                functools.partial(self._unhealthy, slot),
                functools.partial(_started, slot),
            )  # fmt: skip
            slot.probes[kind] = worker
            worker.start()
        slot.started = not startup
        slot.ready = slot.started and "readiness" not in slot.probes

    def _unhealthy(self, slot: Slot, message: str) -> None:
        self.kubelet.recorder.event(self.pod, "Warning", "Unhealthy", message, slot.field_path)

    def _probe_result(self, slot: Slot, worker: ProbeWorker, success: bool) -> None:
        if slot.probes.get(worker.kind) is not worker:
            return
        if worker.kind == "startup":
            if success:
                slot.started = True
                slot.ready = "readiness" not in slot.probes
                readiness = slot.probes.get("readiness")
                if readiness is not None:
                    readiness.trigger()
                self.kick()
            else:
                self.kubelet.recorder.event(
                    self.pod, "Normal", "Killing",
                    f"Container {slot.name} failed startup probe, will be restarted", slot.field_path,
                )  # fmt: skip
                self._kill(slot, self._grace(worker.probe))
        elif worker.kind == "readiness":
            slot.ready = success and slot.started
        elif not success:
            self.kubelet.recorder.event(
                self.pod, "Normal", "Killing",
                f"Container {slot.name} failed liveness probe, will be restarted", slot.field_path,
            )  # fmt: skip
            self._kill(slot, self._grace(worker.probe))
        self.publish()

    async def _stop_probes(self, slot: Slot) -> None:
        workers = list(slot.probes.values())
        slot.probes = {}
        for worker in workers:
            await worker.stop()

    # --------------------------------------------------------------------------- exits

    def _exited(self, slot: Slot, container: Container) -> None:
        if slot.container is not container:
            return
        slot.finished_at = self.kubelet.clock.monotonic()
        slot.started = slot.ready = False
        if self.silenced:
            return
        asyncio.get_running_loop().create_task(self._stop_probes(slot))
        if container.reason == "OOMKilled":
            self.kubelet.recorder.event(
                self.pod, "Warning", "OOMKilling",
                container.oom_message
                or f"Memory cgroup out of memory: Killed process of container {slot.name} "
                f"(limit {container.spec.limits.memory_bytes} bytes)",
                slot.field_path,
            )  # fmt: skip
        self.publish()
        self.kick()

    def _grace(self, probe: Obj | None = None) -> float:
        if probe is not None and probe.get("terminationGracePeriodSeconds") is not None:
            return float(probe["terminationGracePeriodSeconds"])
        metadata = self.pod.get("metadata") or {}
        if metadata.get("deletionGracePeriodSeconds") is not None:
            return float(metadata["deletionGracePeriodSeconds"])
        value = (self.pod.get("spec") or {}).get("terminationGracePeriodSeconds")
        return float(value) if value is not None else DEFAULT_GRACE_SECONDS

    def _kill(self, slot: Slot, grace: float) -> None:
        """Stop ``slot``'s container in the background (probe or hook failure)."""
        container = slot.container
        if container is None or slot.killing is not None or container.state == "exited":
            return

        async def kill() -> None:
            try:
                await self._stop_probes(slot)
                await self._stop_container(slot, grace)
            finally:
                slot.killing = None
                self.kick()

        slot.killing = asyncio.get_running_loop().create_task(kill())

    async def _stop_container(self, slot: Slot, grace: float) -> None:
        """preStop hook, then SIGTERM .. SIGKILL within ``grace`` (at least 2 s)."""
        container = slot.container
        if container is None or container.state == "exited":
            return
        clock = self.kubelet.clock
        pre_stop = (slot.spec.get("lifecycle") or {}).get("preStop")
        if pre_stop and grace > 0:
            began = clock.monotonic()
            try:
                failure = await timing.wait_for(
                    clock,
                    run_hook(pre_stop, slot.name, self.pod, self._target(slot), clock, grace),
                    grace,
                )
            except asyncio.TimeoutError:
                failure = None
            if failure is not None:
                self.kubelet.recorder.event(
                    self.pod, "Warning", "FailedPreStopHook", failure, slot.field_path
                )
            grace -= clock.monotonic() - began
        await container.stop(max(grace, MINIMUM_GRACE_SECONDS))

    async def _stop_all(self, grace: float, message: str) -> None:
        """Stop regular containers, then sidecars in reverse order; Killing events."""
        regular = [s for s in self.slots.values() if not s.is_init and s.running]
        sidecars = [s for s in self.slots.values() if s.is_init and s.running]

        async def stop(slot: Slot) -> None:
            if message:
                self.kubelet.recorder.event(
                    self.pod, "Normal", "Killing", message.format(slot.name), slot.field_path
                )
            await self._stop_probes(slot)
            if slot.killing is not None:
                await slot.killing
            await self._stop_container(slot, grace)

        await asyncio.gather(*(stop(slot) for slot in regular))
        for slot in reversed(sidecars):
            await stop(slot)

    async def _finish(self, failure: tuple[str, str] | None = None) -> None:
        """The pod is done (restart policy, failed init, deadline): stop what still runs.
        ``failure``: the pod's (reason, message) when the kubelet fails it (deadline)."""
        self.terminal = True
        self.failure = failure
        await self._stop_all(self._grace(), "Stopping container {}")
        self.sandbox_ready = False
        self.publish()

    async def _terminate(self) -> None:
        """Graceful deletion: stop everything, final status, delete the pod object."""
        await self._stop_all(self._grace(), "Stopping container {}")
        self.terminal = True
        self.sandbox_ready = False
        self.publish()
        self.kubelet.delete_pod(self.namespace, self.name, self.uid)
        await self._teardown(0)

    async def _teardown(self, grace: float) -> None:
        """The pod is gone: stop what still runs, remove its files and address."""
        self.done = True
        for slot in self.slots.values():
            await self._stop_probes(slot)
            if slot.killing is not None:
                slot.killing.cancel()
            if slot.running:
                await self._stop_container(slot, grace)
        self.volumes.teardown(self.pod)
        shutil.rmtree(self.pod_dir, ignore_errors=True)
        self.kubelet.forget(self)

    # -------------------------------------------------------------------------- status

    def _user(self, slot: Slot, image: Image) -> Obj:
        """The user the container runs as (the image's, or the security context's)."""
        spec = self.pod.get("spec") or {}
        pod_security = spec.get("securityContext") or {}
        security = {**pod_security, **(slot.spec.get("securityContext") or {})}
        uid = int(security.get("runAsUser", image.uid))
        gid = int(security.get("runAsGroup", image.gid))
        extra = [g for g in pod_security.get("supplementalGroups") or [] if g != gid]
        return {"linux": {"uid": uid, "gid": gid, "supplementalGroups": [gid, *extra]}}

    def _view(self, slot: Slot) -> ContainerView:
        container = slot.container
        user = None
        if container is not None and slot.dead is None:
            user = self._user(slot, container.spec.image)
        return ContainerView(
            slot.name, slot.instance(), slot.previous, slot.restart_count, slot.waiting,
            slot.ready, slot.started, user,
        )  # fmt: skip

    def publish(self) -> None:
        """Write the pod's status if it changed."""
        if self.silenced:
            return
        kubelet = self.kubelet
        pod = kubelet.rest.store.get("/pods", self.namespace, self.name)
        if pod is None or (pod.get("metadata") or {}).get("uid") != self.uid:
            return
        view = PodView(
            {name: self._view(slot) for name, slot in self.slots.items()},
            self.sandbox_ready,
            (self.pod_ip,) if self.pod_ip else (),
            tuple(kubelet.host_ips()),
            self.terminal,
        )
        status = build_status(pod, view, kubelet.clock.now())
        if self.failure is not None:
            status["phase"] = "Failed"
            status["reason"], status["message"] = self.failure
        if kubelet.port_offset:
            conditions = [c for c in status["conditions"] if c.get("type") != REMAP_CONDITION]
            if any(_serves_nginx(slot) for slot in self.slots.values()):
                conditions.append(kubelet.remap_condition(pod))
            status["conditions"] = conditions
        kubelet.write_status(pod, status)


def _serves_nginx(slot: Slot) -> bool:
    """Whether a container runs the nginx stand-in (whose port 80 may be remapped)."""
    return slot.container is not None and slot.container.spec.image.kind == "nginx"


def _started(slot: Slot) -> bool:
    return slot.started


def _parse(value: object) -> datetime.datetime | None:
    if not value:
        return None
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _monotonic_of(value: object, kubelet: Kubelet) -> float:
    """The monotonic time of a stored timestamp (for back-off of adopted containers)."""
    moment = _parse(value)
    if moment is None:
        return kubelet.clock.monotonic()
    return kubelet.clock.monotonic() - max(0.0, (kubelet.clock.now() - moment).total_seconds())
