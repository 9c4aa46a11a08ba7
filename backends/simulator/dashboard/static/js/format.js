// How values read in the dashboard: ages, pod status as kubectl prints it, quantities.

export function age(timestamp, now = Date.now()) {
  if (!timestamp) return '<unknown>';
  let seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  let minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? (seconds % 60) + 's' : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60 ? (minutes % 60) + 'm' : ''}`;
  const days = Math.floor(hours / 24);
  return days < 8 ? `${days}d${hours % 24 ? (hours % 24) + 'h' : ''}` : `${days}d`;
}

// The STATUS column of kubectl get pods (reason, waiting/terminated reasons, Terminating).
export function podStatus(pod) {
  const status = pod.status || {};
  let reason = status.reason || status.phase || 'Unknown';
  const init = status.initContainerStatuses || [];
  for (const [i, c] of init.entries()) {
    const state = c.state || {};
    if (state.terminated && state.terminated.exitCode === 0) continue;
    if (state.terminated) reason = 'Init:' + (state.terminated.reason || `ExitCode:${state.terminated.exitCode}`);
    else if (state.waiting && state.waiting.reason && state.waiting.reason !== 'PodInitializing') reason = 'Init:' + state.waiting.reason;
    else reason = `Init:${i}/${init.length}`;
    return reason;
  }
  for (const c of [...(status.containerStatuses || [])].reverse()) {
    const state = c.state || {};
    if (state.waiting && state.waiting.reason) reason = state.waiting.reason;
    else if (state.terminated && state.terminated.reason) reason = state.terminated.reason;
    else if (state.terminated) reason = `ExitCode:${state.terminated.exitCode}`;
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

export function readyCount(pod) {
  const statuses = (pod.status || {}).containerStatuses || [];
  const ready = statuses.filter((c) => c.ready).length;
  return `${ready}/${(pod.spec.containers || []).length}`;
}

export function restarts(pod) {
  return ((pod.status || {}).containerStatuses || []).reduce((n, c) => n + (c.restartCount || 0), 0);
}

// "Error (exit 137) 3m ago" for the last terminated state of a pod's containers, or "".
export function lastState(pod) {
  const last = ((pod.status || {}).containerStatuses || [])
    .map((c) => (c.lastState || {}).terminated)
    .filter(Boolean)
    .sort((a, b) => Date.parse(b.finishedAt || 0) - Date.parse(a.finishedAt || 0))[0];
  if (!last) return '';
  return `${last.reason || 'Terminated'} (exit ${last.exitCode}) ${age(last.finishedAt)} ago`;
}

export function probe(p) {
  if (!p) return null;
  if (p.httpGet) return `http-get ${p.httpGet.path || '/'} :${p.httpGet.port}`;
  if (p.tcpSocket) return `tcp :${p.tcpSocket.port}`;
  if (p.grpc) return `grpc :${p.grpc.port}`;
  if (p.exec) return `exec ${(p.exec.command || []).join(' ')}`;
  return 'probe';
}

// Per container: "kuard: liveness ✓ readiness ✗" — which probes it has and how they stand.
export function probes(pod) {
  const statuses = Object.fromEntries(((pod.status || {}).containerStatuses || []).map((c) => [c.name, c]));
  return (pod.spec.containers || [])
    .map((c) => {
      const s = statuses[c.name] || {};
      const parts = [];
      if (c.startupProbe) parts.push(`startup ${s.started ? '✓' : '…'}`);
      if (c.livenessProbe) parts.push(`liveness ${s.state && s.state.running ? '✓' : '✗'}`);
      if (c.readinessProbe) parts.push(`readiness ${s.ready ? '✓' : '✗'}`);
      return parts.length ? `${c.name}: ${parts.join(' ')}` : '';
    })
    .filter(Boolean)
    .join('; ');
}

const SUFFIX = {n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4};

export function quantity(text) {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(text || '0'));
  return match ? parseFloat(match[1]) * (SUFFIX[match[2]] ?? 1) : 0;
}

export const cores = (text) => `${Math.round(quantity(text) * 1000)}m`;
export const mebibytes = (text) => `${Math.round(quantity(text) / 1024 ** 2)}Mi`;
export const percent = (used, total) => (total ? `${Math.round((100 * used) / total)}%` : '');
