// A describe-like view of one object: what kubectl describe would tell first — metadata, the
// kind's essentials (a pod's containers with probes, restarts and last state, and links to its
// ports), conditions, and the object's events. Secret values stay hidden until asked for.

import {external, h, route} from './dom.js';
import * as fmt from './format.js';
import {byKind} from './kinds.js';

const field = (label, ...value) => h('div', {class: 'field'}, h('dt', {}, label), h('dd', {}, ...value));
const mapping = (obj) => Object.entries(obj || {}).map(([k, v]) => h('div', {class: 'kv'}, `${k}=${v}`));
const section = (title, ...body) => h('section', {}, h('h3', {}, title), ...body);

function state(s) {
  if (!s) return '';
  if (s.running) return `Running since ${s.running.startedAt || ''}`;
  if (s.waiting) return `Waiting: ${s.waiting.reason || ''}${s.waiting.message ? ' — ' + s.waiting.message : ''}`;
  if (s.terminated) return `Terminated: ${s.terminated.reason || ''} (exit ${s.terminated.exitCode}) at ${s.terminated.finishedAt || ''}`;
  return '';
}

function containers(pod) {
  const statuses = Object.fromEntries(((pod.status || {}).containerStatuses || []).map((c) => [c.name, c]));
  const podIP = (pod.status || {}).podIP;
  return pod.spec.containers.map((c) => {
    const s = statuses[c.name] || {};
    const ports = (c.ports || []).map((p) => [p.containerPort, p.protocol || 'TCP', p.name]);
    return h('div', {class: 'container', 'data-container': c.name},
      h('h4', {}, c.name),
      h('dl', {},
        field('Image', c.image),
        field('Ports', ports.length ? ports.map(([port, protocol, name], i) => [i ? ' ' : '',
          podIP && protocol === 'TCP' ? external(`http://${podIP}:${port}/`, `${port}/${protocol}${name ? ' (' + name + ')' : ''}`) : `${port}/${protocol}`]) : '<none>'),
        field('State', state(s.state)),
        field('Last state', state(s.lastState) || '<none>'),
        field('Ready', String(Boolean(s.ready))),
        field('Restarts', String(s.restartCount || 0)),
        c.livenessProbe ? field('Liveness', fmt.probe(c.livenessProbe)) : null,
        c.readinessProbe ? field('Readiness', fmt.probe(c.readinessProbe)) : null,
        c.startupProbe ? field('Startup', fmt.probe(c.startupProbe)) : null,
        c.resources && Object.keys(c.resources).length ? field('Resources', JSON.stringify(c.resources)) : null));
  });
}

function secretData(secret) {
  return Object.entries(secret.data || {}).map(([key, value]) => {
    const shown = h('pre', {class: 'secret-value', hidden: true});
    const button = h('button', {type: 'button', onclick() {
      if (shown.hidden) {
        const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
        shown.textContent = new TextDecoder().decode(bytes);
      }
      shown.hidden = !shown.hidden;
      button.textContent = shown.hidden ? 'Show' : 'Hide';
    }}, 'Show');
    return h('div', {class: 'secret-key'}, `${key}: ${atob(value).length} bytes `, button, shown);
  });
}

function owners(obj) {
  return (obj.metadata.ownerReferences || []).map((ref) => {
    const kind = byKind(ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '', ref.kind);
    return kind ? route({kind: kind.key, ns: obj.metadata.namespace || '', name: ref.name}, `${ref.kind}/${ref.name}`) : `${ref.kind}/${ref.name}`;
  });
}

function podTable(pods) {
  return h('table', {class: 'pods'},
    h('tr', {}, ['Namespace', 'Name', 'Status', 'Restarts', 'Age'].map((t) => h('th', {}, t))),
    pods.map((p) => h('tr', {},
      h('td', {}, p.metadata.namespace),
      h('td', {}, route({kind: 'pods', ns: p.metadata.namespace, name: p.metadata.name}, p.metadata.name)),
      h('td', {}, fmt.podStatus(p)), h('td', {}, String(fmt.restarts(p))),
      h('td', {}, fmt.age(p.metadata.creationTimestamp)))));
}

function essentials(kind, obj, pods) {
  const spec = obj.spec || {};
  const status = obj.status || {};
  switch (kind.key) {
    case 'pods':
      return [
        h('dl', {}, field('Node', spec.nodeName || '<none>'), field('Status', fmt.podStatus(obj)),
          field('IP', status.podIP || '<none>'), field('QoS class', status.qosClass || '')),
        section('Containers', ...containers(obj)),
        h('p', {class: 'hint'}, 'The simulator\'s pods and services listen on their own 127.x addresses: '
          + 'the port links open them directly, with no port-forward needed.'),
      ];
    case 'configmaps':
      return [section('Data', ...Object.entries(obj.data || {}).map(([k, v]) => h('div', {}, h('h4', {}, k), h('pre', {}, v))))];
    case 'secrets':
      return [h('dl', {}, field('Type', obj.type || '')), section('Data', ...secretData(obj))];
    case 'nodes':
      return [h('dl', {},
        field('Addresses', (status.addresses || []).map((a) => `${a.type}: ${a.address}`).join(', ')),
        field('Capacity', JSON.stringify(status.capacity || {})),
        field('Allocatable', JSON.stringify(status.allocatable || {})),
        field('Taints', (spec.taints || []).map((t) => `${t.key}=${t.value || ''}:${t.effect}`).join(', ') || '<none>')),
        section(`Pods (${pods.length})`, podTable(pods))];
    default:
      return [h('dl', {},
        spec.replicas !== undefined ? field('Replicas', `${spec.replicas} desired, ${status.replicas || 0} current, ${status.readyReplicas || 0} ready`) : null,
        spec.selector ? field('Selector', JSON.stringify(spec.selector.matchLabels || spec.selector)) : null,
        spec.type ? field('Type', spec.type) : null,
        spec.clusterIP ? field('Cluster IP', spec.clusterIP) : null,
        spec.strategy ? field('Strategy', spec.strategy.type || '') : null)];
  }
}

export function describe(kind, obj, events, pods = []) {
  const md = obj.metadata;
  return h('div', {class: 'describe'},
    h('dl', {},
      field('Name', md.name),
      md.namespace ? field('Namespace', md.namespace) : null,
      field('Created', `${md.creationTimestamp} (${fmt.age(md.creationTimestamp)} ago)`),
      field('Labels', ...mapping(md.labels)),
      field('Annotations', ...mapping(md.annotations)),
      md.ownerReferences ? field('Controlled by', ...owners(obj)) : null),
    ...essentials(kind, obj, pods),
    (obj.status || {}).conditions ? section('Conditions', h('table', {},
      h('tr', {}, ['Type', 'Status', 'Reason', 'Message'].map((t) => h('th', {}, t))),
      obj.status.conditions.map((c) => h('tr', {}, [c.type, c.status, c.reason || '', c.message || ''].map((t) => h('td', {}, t)))))) : null,
    section('Events', events.length ? h('table', {class: 'events'},
      h('tr', {}, ['Type', 'Reason', 'Age', 'From', 'Message'].map((t) => h('th', {}, t))),
      events.map((e) => h('tr', {}, [e.type, e.reason, fmt.age(e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp),
        (e.source || {}).component || e.reportingComponent || '', e.message].map((t) => h('td', {}, t || ''))))) : '<none>'));
}
