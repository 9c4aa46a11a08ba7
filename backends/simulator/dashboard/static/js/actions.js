// What the dashboard changes: apply pasted or uploaded YAML (server-side apply, server dry run
// first, the server's answer shown), edit an object's YAML (replace, dry run first), delete with
// a grace period, scale, rollout restart and undo. Every change goes through the API proxy.

import {ApiError, apiPath, call, get, placeManifests} from './api.js';
import {h, replace, route} from './dom.js';
import {byKind} from './kinds.js';

export const FIELD_MANAGER = 'pykctl-dashboard';
const APPLY = 'application/apply-patch+yaml';

function kindOf(placed) {
  const [group] = placed.object.apiVersion.includes('/') ? placed.object.apiVersion.split('/') : [''];
  return byKind(group, placed.object.kind);
}

async function exists(path) {
  try {
    await get(path);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false;
    throw err;
  }
}

// Apply each placed object (server-side apply); returns [{placed, ok, message}].
async function applyAll(items, dryRun) {
  const results = [];
  for (const placed of items) {
    const query = new URLSearchParams({fieldManager: FIELD_MANAGER});
    if (dryRun) query.set('dryRun', 'All');
    try {
      const existed = await exists(placed.path);
      await call('PATCH', `${placed.path}?${query}`, placed.object, APPLY);
      const verb = existed ? 'configured' : 'created';
      results.push({placed, ok: true, message: `${placed.ref} ${verb}${dryRun ? ' (server dry run)' : ''}`});
    } catch (err) {
      results.push({placed, ok: false, message: `${placed.ref}: ${err.message}`});
    }
  }
  return results;
}

function resultList(results) {
  return h('ul', {class: 'results'}, results.map(({placed, ok, message}) => {
    const kind = ok && kindOf(placed);
    const md = placed.object.metadata;
    return h('li', {class: ok ? 'ok' : 'error'}, message, kind ? [' — ', route({kind: kind.key, ns: md.namespace || '', name: md.name}, 'open')] : '');
  }));
}

// The "Create" page: paste or upload YAML, dry run, then apply.
export function createPage(main, params) {
  const text = h('textarea', {name: 'manifest', rows: '20', spellcheck: 'false',
    placeholder: 'apiVersion: v1\nkind: Service\n…'});
  const file = h('input', {type: 'file', accept: '.yaml,.yml,.json', onchange: async () => {
    if (file.files[0]) text.value = await file.files[0].text();
  }});
  const answer = h('div', {class: 'answer', role: 'status'});
  const applyButton = h('button', {type: 'button', name: 'apply', disabled: true}, 'Apply');
  let placed = null;
  const dryRun = async () => {
    applyButton.disabled = true;
    try {
      placed = await placeManifests(text.value, params.ns || 'default');
      const results = await applyAll(placed, true);
      replace(answer, h('h3', {}, 'Server dry run'), resultList(results));
      applyButton.disabled = !results.every((r) => r.ok);
    } catch (err) {
      replace(answer, h('p', {class: 'error'}, err.message));
    }
  };
  text.addEventListener('input', () => { applyButton.disabled = true; });
  applyButton.addEventListener('click', async () => {
    applyButton.disabled = true;
    replace(answer, h('h3', {}, 'Applied'), resultList(await applyAll(placed, false)));
  });
  replace(main,
    h('h1', {}, 'Create or apply'),
    h('p', {class: 'hint'}, `Objects are applied with server-side apply (field manager ${FIELD_MANAGER}); `
      + `those naming no namespace go to ${params.ns || 'default'}. A server dry run comes first.`),
    h('div', {class: 'toolbar'}, file),
    text,
    h('div', {class: 'toolbar'}, h('button', {type: 'button', name: 'dry-run', onclick: dryRun}, 'Dry run'), applyButton),
    answer);
}

// The edit tab: the object's YAML in a text area; dry run, then save (a replace).
export function editPanel(yamlText, namespace) {
  const text = h('textarea', {name: 'edit', rows: '24', spellcheck: 'false', value: yamlText});
  const answer = h('div', {class: 'answer', role: 'status'});
  const save = async (dryRun) => {
    try {
      const [placed, ...more] = await placeManifests(text.value, namespace || 'default');
      if (more.length) throw new Error('edit one object at a time');
      const query = new URLSearchParams(dryRun ? {dryRun: 'All'} : {});
      await call('PUT', `${placed.path}?${query}`, placed.object);
      replace(answer, h('p', {class: 'ok'}, `${placed.ref} edited${dryRun ? ' (server dry run)' : ''}`));
    } catch (err) {
      replace(answer, h('p', {class: 'error'}, err.message));
    }
  };
  return h('div', {class: 'edit'}, text, h('div', {class: 'toolbar'},
    h('button', {type: 'button', name: 'edit-dry-run', onclick: () => save(true)}, 'Dry run'),
    h('button', {type: 'button', name: 'save', onclick: () => save(false)}, 'Save')), answer);
}

async function undo(kind, obj) {
  // kubectl rollout undo: the template of the previous revision's ReplicaSet goes back in.
  const uid = obj.metadata.uid;
  const sets = (await get(apiPath(byKind('apps', 'ReplicaSet'), obj.metadata.namespace))).items
    .filter((rs) => (rs.metadata.ownerReferences || []).some((o) => o.uid === uid))
    .map((rs) => [Number((rs.metadata.annotations || {})['deployment.kubernetes.io/revision'] || 0), rs])
    .sort((a, b) => b[0] - a[0]);
  if (sets.length < 2) throw new Error('no rollout history found');
  const template = structuredClone(sets[1][1].spec.template);
  delete (template.metadata.labels || {})['pod-template-hash'];
  await call('PATCH', apiPath(kind, obj.metadata.namespace, obj.metadata.name),
    [{op: 'replace', path: '/spec/template', value: template}], 'application/json-patch+json');
  return `rolled back to revision ${sets[1][0]}`;
}

// The buttons of an object's page; onDone(message) after a change.
export function objectActions(kind, obj, onDone) {
  const path = apiPath(kind, obj.metadata.namespace, obj.metadata.name);
  const act = (fn) => async () => {
    try {
      onDone(await fn(), false);
    } catch (err) {
      onDone(err.message, true);
    }
  };
  const grace = h('input', {type: 'number', name: 'grace-period', min: '0', placeholder: 'default', class: 'narrow'});
  const controls = [
    h('label', {}, 'Grace period (s) ', grace),
    h('button', {type: 'button', name: 'delete', class: 'danger', onclick: act(async () => {
      if (!confirm(`Delete ${kind.kind.toLowerCase()} ${obj.metadata.name}?`)) return 'not deleted';
      const options = {kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background'};
      if (grace.value !== '') options.gracePeriodSeconds = Number(grace.value);
      await call('DELETE', path, options);
      return `${kind.kind.toLowerCase()} "${obj.metadata.name}" deleted`;
    })}, 'Delete'),
  ];
  if (kind.scalable) {
    const replicas = h('input', {type: 'number', name: 'replicas', min: '0', value: String(obj.spec.replicas ?? 1), class: 'narrow'});
    controls.push(h('label', {}, 'Replicas ', replicas), h('button', {type: 'button', name: 'scale', onclick: act(async () => {
      await call('PATCH', `${path}/scale`, {spec: {replicas: Number(replicas.value)}}, 'application/merge-patch+json');
      return `${kind.kind.toLowerCase()}.${kind.group}/${obj.metadata.name} scaled`;
    })}, 'Scale'));
  }
  if (kind.restartable) {
    controls.push(h('button', {type: 'button', name: 'restart', onclick: act(async () => {
      const restartedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const patch = {spec: {template: {metadata: {annotations: {'kubectl.kubernetes.io/restartedAt': restartedAt}}}}};
      await call('PATCH', path, patch, 'application/strategic-merge-patch+json');
      return `${kind.kind.toLowerCase()}.${kind.group}/${obj.metadata.name} restarted`;
    })}, 'Rollout restart'));
  }
  if (kind.undoable) controls.push(h('button', {type: 'button', name: 'undo', onclick: act(() => undo(kind, obj))}, 'Rollout undo'));
  return h('div', {class: 'toolbar actions'}, controls);
}
