// A pod's log, streamed: container choice, follow, previous instance, timestamps, tail.

import {apiPath, streamText} from './api.js';
import {h} from './dom.js';

const MAX_CHARS = 2_000_000;  // older text is dropped beyond this

export function logsPanel(kind, pod) {
  const names = [...(pod.spec.initContainers || []), ...pod.spec.containers].map((c) => c.name);
  const container = h('select', {name: 'container'}, names.map((n) => h('option', {value: n}, n)));
  container.value = pod.spec.containers[0].name;
  const followBox = h('input', {type: 'checkbox', name: 'follow', checked: true});
  const previous = h('input', {type: 'checkbox', name: 'previous'});
  const timestamps = h('input', {type: 'checkbox', name: 'timestamps'});
  const tail = h('input', {type: 'number', name: 'tail', min: '-1', value: '500', class: 'narrow'});
  const output = h('pre', {class: 'log', 'aria-live': 'polite'});
  const state = h('span', {class: 'muted'});
  let control = null;

  const start = async () => {
    if (control) control.abort();
    control = new AbortController();
    const mine = control;
    output.textContent = '';
    const query = {container: container.value};
    if (followBox.checked) query.follow = 'true';
    if (previous.checked) query.previous = 'true';
    if (timestamps.checked) query.timestamps = 'true';
    if (tail.value !== '' && Number(tail.value) >= 0) query.tailLines = tail.value;
    const path = apiPath(kind, pod.metadata.namespace, pod.metadata.name, 'log') + '?' + new URLSearchParams(query);
    state.textContent = followBox.checked ? 'following…' : 'loading…';
    try {
      await streamText(path, (text) => {
        const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
        output.append(text);
        if (output.textContent.length > MAX_CHARS) output.textContent = output.textContent.slice(-MAX_CHARS / 2);
        if (atBottom) output.scrollTop = output.scrollHeight;
      }, mine.signal);
      if (mine === control) state.textContent = 'end of log';
    } catch (err) {
      if (!mine.signal.aborted) state.textContent = `Error: ${err.message}`;
    }
  };
  for (const input of [container, followBox, previous, timestamps, tail]) input.addEventListener('change', start);
  const panel = h('div', {class: 'logs'},
    h('div', {class: 'toolbar'},
      h('label', {}, 'Container ', container), h('label', {}, followBox, ' Follow'),
      h('label', {}, previous, ' Previous'), h('label', {}, timestamps, ' Timestamps'),
      h('label', {}, 'Tail ', tail), state),
    output);
  start();
  return {panel, stop: () => control && control.abort()};
}
