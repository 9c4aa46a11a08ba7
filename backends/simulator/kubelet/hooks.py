"""Container lifecycle hooks (postStart, preStop): exec, httpGet and sleep handlers.

``run_hook`` returns None on success or the kubelet's failure message, e.g.
``Exec lifecycle hook ([sh -c exit 1]) for Container "c" in Pod "p_default(uid)" failed -
error: command 'sh -c exit 1' exited with 1: , message: ""``. An httpGet hook fails only when
the request cannot be made (any status code is accepted, as upstream).
"""

from __future__ import annotations

import asyncio
from typing import Any

from backends.objects.gofmt import quote
from backends.simulator.clock import Clock
from backends.simulator.kubelet import timing
from backends.simulator.kubelet.probes import ExecProbeError, Outcome, Target, http_probe

Obj = dict[str, Any]


def pod_ref(pod: Obj) -> str:
    """``format.Pod``: ``name_namespace(uid)``."""
    metadata = pod.get("metadata") or {}
    return f"{metadata.get('name')}_{metadata.get('namespace')}({metadata.get('uid')})"


async def run_hook(
    handler: Obj, container: str, pod: Obj, target: Target, clock: Clock, timeout: float
) -> str | None:
    """Run one lifecycle handler; None when it succeeded, else the failure message."""
    where = f'for Container "{container}" in Pod "{pod_ref(pod)}" failed - error: '
    if handler.get("exec") is not None:
        command = [str(part) for part in handler["exec"].get("command") or []]
        shown = "[" + " ".join(command) + "]"
        if target.exec_runner is None:
            return f'Exec lifecycle hook ({shown}) {where}container is not running, message: ""'
        try:
            code, output = await target.exec_runner(command, timeout)
        except (ExecProbeError, asyncio.TimeoutError) as err:
            return f'Exec lifecycle hook ({shown}) {where}{err}, message: ""'
        if code == 0:
            return None
        return (
            f"Exec lifecycle hook ({shown}) {where}command '{' '.join(command)}' exited with "
            f"{code}: , message: {quote(output)}"
        )
    if handler.get("httpGet") is not None:
        action = handler["httpGet"]
        outcome: Outcome = await http_probe(action, target, timeout)
        if outcome.success or outcome.output.startswith("HTTP probe failed with statuscode"):
            return None
        return f"HTTP lifecycle hook ({action.get('path') or ''}) {where}{outcome.output}"
    if handler.get("sleep") is not None:
        await timing.sleep(clock, float(handler["sleep"].get("seconds") or 0))
        return None
    return None
