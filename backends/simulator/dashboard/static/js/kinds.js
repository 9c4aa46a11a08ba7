// The kinds the dashboard shows, and the columns of their lists (as kubectl get prints them,
// plus what helps at a glance: probes, last state, usage, addresses as links).

import {external, route} from './dom.js';
import * as fmt from './format.js';

const name = (kind) => (o) => route({kind: kind.key, ns: o.metadata.namespace || '', name: o.metadata.name}, o.metadata.name);
const created = (o) => fmt.age(o.metadata.creationTimestamp);
const images = (o) => ((o.spec.template || {}).spec || {}).containers.map((c) => c.image).join(', ');

function serviceLinks(svc) {
  const links = [];
  const scheme = (port) => (port.port === 443 || port.name === 'https' ? 'https' : 'http');
  for (const port of svc.spec.ports || []) {
    if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None') {
      links.push(external(`${scheme(port)}://${svc.spec.clusterIP}:${port.port}/`));
    }
    for (const ingress of ((svc.status || {}).loadBalancer || {}).ingress || []) {
      if (ingress.ip) links.push(external(`${scheme(port)}://${ingress.ip}:${port.port}/`));
    }
    if (port.nodePort) links.push(external(`${scheme(port)}://127.0.0.1:${port.nodePort}/`));
  }
  return links.flatMap((link, i) => (i ? [' ', link] : [link]));
}

function ingressLinks(ing) {
  const addresses = (((ing.status || {}).loadBalancer || {}).ingress || []).map((i) => i.ip || i.hostname);
  const links = [];
  for (const address of addresses.filter(Boolean)) {
    const rules = ing.spec.rules || [{}];
    for (const rule of rules) {
      const paths = ((rule.http || {}).paths || [{path: '/'}]).map((p) => p.path || '/');
      for (const path of paths) {
        // a host rule is reached through the address with that Host: show which
        const text = `http://${address}${path}` + (rule.host ? ` (Host: ${rule.host})` : '');
        links.push(external(`http://${address}${path}`, text));
      }
    }
  }
  return links.flatMap((link, i) => (i ? [' ', link] : [link]));
}

function usage(ctx, o, field) {
  const m = ctx.metrics.get(`${o.metadata.namespace || ''}/${o.metadata.name}`);
  if (!m) return '';
  if (m.usage) return field === 'cpu' ? fmt.cores(m.usage.cpu) : fmt.mebibytes(m.usage.memory);
  const total = m.containers.reduce((n, c) => n + fmt.quantity(c.usage[field]), 0);
  return field === 'cpu' ? fmt.cores(total) : fmt.mebibytes(total);
}

function nodeUsage(ctx, node, field) {
  const text = usage(ctx, node, field);
  if (!text) return '';
  const m = ctx.metrics.get(`/${node.metadata.name}`);
  const total = fmt.quantity((node.status.allocatable || {})[field]);
  return `${text} (${fmt.percent(fmt.quantity(m.usage[field]), total)})`;
}

const nodeReady = (node) => {
  const ready = (node.status.conditions || []).find((c) => c.type === 'Ready');
  const text = ready && ready.status === 'True' ? 'Ready' : 'NotReady';
  return node.spec.unschedulable ? `${text},SchedulingDisabled` : text;
};

export const KINDS = [
  {key: 'pods', title: 'Pods', version: 'v1', plural: 'pods', kind: 'Pod', metrics: true, logs: true,
    columns: (k) => [
      ['Name', name(k)], ['Ready', fmt.readyCount], ['Status', fmt.podStatus],
      ['Restarts', (o) => String(fmt.restarts(o))], ['Last state', fmt.lastState],
      ['Probes', fmt.probes], ['Age', created], ['IP', (o) => (o.status || {}).podIP || ''],
      ['Node', (o) => o.spec.nodeName || ''],
      ['CPU', (o, ctx) => usage(ctx, o, 'cpu')], ['Memory', (o, ctx) => usage(ctx, o, 'memory')],
    ]},
  {key: 'deployments', title: 'Deployments', group: 'apps', version: 'v1', plural: 'deployments',
    kind: 'Deployment', scalable: true, restartable: true, undoable: true,
    columns: (k) => [
      ['Name', name(k)], ['Ready', (o) => `${o.status.readyReplicas || 0}/${o.spec.replicas ?? 1}`],
      ['Up-to-date', (o) => String(o.status.updatedReplicas || 0)],
      ['Available', (o) => String(o.status.availableReplicas || 0)], ['Age', created], ['Images', images],
    ]},
  {key: 'replicasets', title: 'ReplicaSets', group: 'apps', version: 'v1', plural: 'replicasets',
    kind: 'ReplicaSet', scalable: true,
    columns: (k) => [
      ['Name', name(k)], ['Desired', (o) => String(o.spec.replicas ?? 1)],
      ['Current', (o) => String(o.status.replicas || 0)], ['Ready', (o) => String(o.status.readyReplicas || 0)],
      ['Age', created], ['Images', images],
    ]},
  {key: 'daemonsets', title: 'DaemonSets', group: 'apps', version: 'v1', plural: 'daemonsets',
    kind: 'DaemonSet', restartable: true,
    columns: (k) => [
      ['Name', name(k)], ['Desired', (o) => String(o.status.desiredNumberScheduled || 0)],
      ['Current', (o) => String(o.status.currentNumberScheduled || 0)],
      ['Ready', (o) => String(o.status.numberReady || 0)], ['Age', created], ['Images', images],
    ]},
  {key: 'jobs', title: 'Jobs', group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job',
    columns: (k) => [
      ['Name', name(k)],
      ['Status', (o) => ((o.status.conditions || []).find((c) => c.status === 'True') || {}).type || 'Running'],
      ['Completions', (o) => `${o.status.succeeded || 0}/${o.spec.completions ?? 1}`], ['Age', created],
    ]},
  {key: 'services', title: 'Services', version: 'v1', plural: 'services', kind: 'Service',
    columns: (k) => [
      ['Name', name(k)], ['Type', (o) => o.spec.type], ['Cluster IP', (o) => o.spec.clusterIP || ''],
      ['Ports', (o) => (o.spec.ports || []).map((p) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol}`).join(',')],
      ['Open', serviceLinks], ['Age', created],
    ]},
  {key: 'ingresses', title: 'Ingresses', group: 'networking.k8s.io', version: 'v1', plural: 'ingresses',
    kind: 'Ingress',
    columns: (k) => [
      ['Name', name(k)], ['Class', (o) => o.spec.ingressClassName || ''],
      ['Hosts', (o) => (o.spec.rules || []).map((r) => r.host || '*').join(',')],
      ['Open', ingressLinks], ['Age', created],
    ]},
  {key: 'endpoints', title: 'Endpoints', version: 'v1', plural: 'endpoints', kind: 'Endpoints',
    columns: (k) => [
      ['Name', name(k)],
      ['Endpoints', (o) => (o.subsets || []).flatMap((s) => (s.addresses || []).flatMap((a) => (s.ports || [{port: ''}]).map((p) => `${a.ip}:${p.port}`))).join(', ') || '<none>'],
      ['Not ready', (o) => (o.subsets || []).flatMap((s) => (s.notReadyAddresses || []).map((a) => a.ip)).join(', ')],
      ['Age', created],
    ]},
  {key: 'configmaps', title: 'ConfigMaps', version: 'v1', plural: 'configmaps', kind: 'ConfigMap',
    columns: (k) => [['Name', name(k)], ['Data', (o) => String(Object.keys(o.data || {}).length + Object.keys(o.binaryData || {}).length)], ['Age', created]]},
  {key: 'secrets', title: 'Secrets', version: 'v1', plural: 'secrets', kind: 'Secret', secret: true,
    columns: (k) => [['Name', name(k)], ['Type', (o) => o.type || ''], ['Data', (o) => String(Object.keys(o.data || {}).length)], ['Age', created]]},
  {key: 'nodes', title: 'Nodes', version: 'v1', plural: 'nodes', kind: 'Node', cluster: true, metrics: true,
    columns: (k) => [
      ['Name', name(k)], ['Status', nodeReady], ['Age', created],
      ['Internal IP', (o) => ((o.status.addresses || []).find((a) => a.type === 'InternalIP') || {}).address || ''],
      ['Pods', (o, ctx) => String((ctx.podsByNode.get(o.metadata.name) || []).length)],
      ['CPU', (o, ctx) => nodeUsage(ctx, o, 'cpu')], ['Memory', (o, ctx) => nodeUsage(ctx, o, 'memory')],
    ]},
  {key: 'events', title: 'Events', version: 'v1', plural: 'events', kind: 'Event',
    sort: (a, b) => Date.parse(b.lastTimestamp || b.eventTime || 0) - Date.parse(a.lastTimestamp || a.eventTime || 0),
    columns: () => [
      ['Last seen', (o) => fmt.age(o.lastTimestamp || o.eventTime || o.metadata.creationTimestamp)],
      ['Type', (o) => o.type || ''], ['Reason', (o) => o.reason || ''],
      ['Object', (o) => `${(o.involvedObject.kind || '').toLowerCase()}/${o.involvedObject.name}`],
      ['Message', (o) => o.message || ''],
    ]},
  {key: 'namespaces', title: 'Namespaces', version: 'v1', plural: 'namespaces', kind: 'Namespace', cluster: true,
    columns: (k) => [['Name', name(k)], ['Status', (o) => o.status.phase || ''], ['Age', created]]},
];

for (const kind of KINDS) {
  kind.group = kind.group || '';
  kind.namespaced = !kind.cluster;
}

export const byKey = (key) => KINDS.find((k) => k.key === key) || KINDS[0];
export const byKind = (group, kindName) => KINDS.find((k) => k.group === group && k.kind === kindName);
