// One object's page: its actions, and tabs for a describe-like view (live), its YAML, an editor
// and, for pods, the log.

import {apiPath, follow, yamlOf} from './api.js';
import {editPanel, objectActions} from './actions.js';
import {h, replace} from './dom.js';
import {describe} from './describe.js';
import {byKey} from './kinds.js';
import {logsPanel} from './logs.js';

export function showObject(main, params) {
  const kind = byKey(params.kind);
  const namespace = kind.namespaced ? params.ns : '';
  const name = params.name;
  const tabs = ['describe', 'yaml', 'edit', ...(kind.logs ? ['logs'] : [])];
  const tab = tabs.includes(params.tab) ? params.tab : 'describe';
  const body = h('div', {class: 'tab-body', 'data-tab': tab});
  const notice = h('p', {class: 'notice', role: 'status', hidden: true});
  const actions = h('div');
  const stops = [];
  let obj = null;
  let events = [];
  let pods = [];  // a node's pods

  const say = (message, error) => {
    notice.hidden = false;
    notice.textContent = message;
    notice.classList.toggle('error', Boolean(error));
  };
  const drawDescribe = () => {
    if (tab === 'describe' && obj) replace(body, describe(kind, obj, events, pods));
  };
  const onFirst = () => {
    replace(actions, objectActions(kind, obj, say));
    if (tab === 'yaml') showYaml();
    if (tab === 'edit') yamlOf(apiPath(kind, namespace, name)).then((text) => replace(body, editPanel(text, namespace)), (err) => say(err.message, true));
    if (tab === 'logs') {
      const logs = logsPanel(kind, obj);
      replace(body, logs.panel);
      stops.push(logs.stop);
    }
  };
  const showYaml = async () => {
    if (kind.secret && !body.dataset.revealed) {
      replace(body, h('button', {type: 'button', onclick() {
        body.dataset.revealed = 'yes';
        showYaml();
      }}, 'Show YAML (it contains the secret\'s values)'));
      return;
    }
    try {
      replace(body, h('pre', {class: 'yaml'}, await yamlOf(apiPath(kind, namespace, name))));
    } catch (err) {
      say(err.message, true);
    }
  };

  const selector = {fieldSelector: `metadata.name=${name}`};
  stops.push(follow(apiPath(kind, namespace), selector, {
    onList(items) {
      const first = obj === null;
      obj = items[0] || null;
      if (!obj) return say(`${kind.kind.toLowerCase()} "${name}" not found`, true);
      if (first) onFirst();
      drawDescribe();
    },
    onEvent(type, changed) {
      if (type === 'DELETED') return say(`${kind.kind.toLowerCase()} "${name}" was deleted`, true);
      const first = obj === null;
      obj = changed;
      if (first) onFirst();
      drawDescribe();
    },
    onError: (err) => say(err.message, true),
  }));
  const eventQuery = {fieldSelector: `involvedObject.name=${name},involvedObject.kind=${kind.kind}`};
  const eventsMap = new Map();
  stops.push(follow(apiPath(byKey('events'), namespace), eventQuery, {
    onList(items) {
      eventsMap.clear();
      items.forEach((e) => eventsMap.set(e.metadata.name, e));
      events = [...eventsMap.values()];
      drawDescribe();
    },
    onEvent(type, e) {
      if (type === 'DELETED') eventsMap.delete(e.metadata.name);
      else eventsMap.set(e.metadata.name, e);
      events = [...eventsMap.values()];
      drawDescribe();
    },
    onError: () => {},
  }));

  if (kind.key === 'nodes') {
    const onNode = new Map();
    stops.push(follow(apiPath(byKey('pods'), ''), {fieldSelector: `spec.nodeName=${name}`}, {
      onList(items) {
        onNode.clear();
        items.forEach((p) => onNode.set(p.metadata.uid, p));
        pods = [...onNode.values()];
        drawDescribe();
      },
      onEvent(type, p) {
        if (type === 'DELETED') onNode.delete(p.metadata.uid);
        else onNode.set(p.metadata.uid, p);
        pods = [...onNode.values()];
        drawDescribe();
      },
      onError: () => {},
    }));
  }

  replace(main,
    h('h1', {}, `${kind.kind} `, h('span', {class: 'object-name'}, name),
      namespace ? h('span', {class: 'muted'}, ` in ${namespace}`) : ''),
    actions, notice,
    h('nav', {class: 'tabs'}, tabs.map((t) => h('a', {
      href: '#' + new URLSearchParams({...params, tab: t}), class: t === tab ? 'active' : '', 'data-tab': t,
    }, t === 'yaml' ? 'YAML' : t[0].toUpperCase() + t.slice(1)))),
    body);
  return () => stops.forEach((stop) => stop());
}
