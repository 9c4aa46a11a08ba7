// A live list of one kind: the objects of a namespace (or all), filtered by a label selector as
// -l is, kept current from a watch and redrawn at most once per frame; pods and nodes also show
// their usage from metrics.k8s.io, refreshed every few seconds.

import {apiPath, follow, get} from './api.js';
import {h, replace} from './dom.js';
import {byKey} from './kinds.js';

const METRICS_EVERY_MS = 10000;

function sorted(kind, objects) {
  const items = [...objects.values()];
  if (kind.sort) return items.sort(kind.sort);
  const key = (o) => `${o.metadata.namespace || ''}/${o.metadata.name}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// A collection followed into a Map keyed by namespace/name; onChange after each change.
function followed(path, query, onChange, onError) {
  const objects = new Map();
  const key = (o) => `${o.metadata.namespace || ''}/${o.metadata.name}`;
  const stop = follow(path, query, {
    onList(items) {
      objects.clear();
      for (const o of items) objects.set(key(o), o);
      onChange();
    },
    onEvent(type, o) {
      if (type === 'DELETED') objects.delete(key(o));
      else objects.set(key(o), o);
      onChange();
    },
    onError,
  });
  return {objects, stop};
}

function metricsPath(kind, namespace) {
  const base = '/apis/metrics.k8s.io/v1beta1';
  if (kind.key === 'nodes') return `${base}/nodes`;
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/pods` : `${base}/pods`;
}

// Render the list of params.kind into main; returns a function that stops its streams.
export function showList(main, params) {
  const kind = byKey(params.kind);
  const namespace = kind.namespaced ? params.ns : '';
  const columns = kind.columns(kind);
  const ctx = {metrics: new Map(), podsByNode: new Map()};
  const status = h('p', {class: 'status', role: 'status'}, 'Loading…');
  const tbody = h('tbody');
  const allNamespaces = kind.namespaced && !namespace;
  const headers = [...(allNamespaces ? ['Namespace'] : []), ...columns.map(([title]) => title)];
  replace(main,
    h('h1', {}, kind.title, namespace ? h('span', {class: 'muted'}, ` in ${namespace}`) : ''),
    status,
    h('table', {class: 'objects', 'data-kind': kind.key},
      h('thead', {}, h('tr', {}, headers.map((title) => h('th', {}, title)))), tbody));

  let frame = 0;
  let failure = null;  // the last error, until the list loads again
  const draw = () => {
    frame = 0;
    const items = sorted(kind, list.objects);
    const rows = items.map((o) => h('tr', {'data-name': o.metadata.name},
      allNamespaces ? h('td', {}, o.metadata.namespace) : null,
      columns.map(([title, cell]) => h('td', {'data-column': title}, cell(o, ctx)))));
    tbody.replaceChildren(...rows);
    performance.mark('pykctl-dashboard:list-drawn', {detail: items.length});  // for the load-time test
    const selector = params.l ? ` matching ${params.l}` : '';
    status.classList.toggle('error', failure !== null);
    if (failure !== null) status.textContent = `Error: ${failure}`;
    else status.textContent = items.length ? `${kind.title}: ${items.length}${selector}` :
      `No ${kind.title.toLowerCase()} found${namespace ? ` in ${namespace} namespace` : ''}${selector}.`;
  };
  const redraw = () => {
    if (!frame) frame = requestAnimationFrame(draw);
  };
  const fail = (err) => {
    failure = err.message;
    redraw();
  };
  const query = params.l ? {labelSelector: params.l} : {};
  const list = followed(apiPath(kind, namespace), query, () => {
    failure = null;
    redraw();
  }, fail);
  const stops = [list.stop];

  if (kind.key === 'nodes') {  // the pods on each node, kept current too
    const pods = followed(apiPath(byKey('pods'), ''), {}, () => {
      ctx.podsByNode = new Map();
      for (const pod of pods.objects.values()) {
        const node = pod.spec.nodeName || '';
        ctx.podsByNode.set(node, [...(ctx.podsByNode.get(node) || []), pod]);
      }
      redraw();
    }, fail);
    stops.push(pods.stop);
  }
  if (kind.metrics) {
    const refresh = async () => {
      try {
        const answer = await get(metricsPath(kind, namespace));
        ctx.metrics = new Map(answer.items.map((m) => [`${m.metadata.namespace || ''}/${m.metadata.name}`, m]));
        redraw();
      } catch {
        // no metrics (yet): the usage columns stay empty
      }
    };
    refresh();
    const timer = setInterval(refresh, METRICS_EVERY_MS);
    stops.push(() => clearInterval(timer));
  }
  return () => {
    stops.forEach((stop) => stop());
    if (frame) cancelAnimationFrame(frame);
  };
}
