// The dashboard's shell: navigation by kind, the namespace and label-selector filters, and the
// hash router (#kind=pods&ns=default&l=app%3Dkuard[&name=kuard&tab=logs], #create=1;
// ns= empty is all namespaces).

import {get, logout} from './api.js';
import {createPage} from './actions.js';
import {showObject} from './detail.js';
import {h, replace} from './dom.js';
import {KINDS, byKey} from './kinds.js';
import {showList} from './list.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const namespaceSelect = document.getElementById('namespace');
const selectorInput = document.getElementById('selector');
let stopView = () => {};

function params() {
  const p = Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
  if (!('ns' in p)) p.ns = 'default';
  return p;
}

// Go to the current route with ``changes`` (a value of null drops that parameter).
function navigate(changes) {
  const next = {...params(), ...changes};
  for (const [key, value] of Object.entries(next)) if (value === null) delete next[key];
  location.hash = new URLSearchParams(next).toString();
}

function render() {
  stopView();
  stopView = () => {};
  const p = params();
  if (![...namespaceSelect.options].some((o) => o.value === p.ns)) {
    namespaceSelect.append(h('option', {value: p.ns}, p.ns));
  }
  namespaceSelect.value = p.ns;
  selectorInput.value = p.l || '';
  const current = 'create' in p ? 'create' : byKey(p.kind).key;
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('active', link.dataset.kind === current);
  if ('create' in p) createPage(main, p);
  else stopView = p.name ? showObject(main, p) : showList(main, p);
}

async function loadNamespaces() {
  try {
    const answer = await get('/api/v1/namespaces');
    const current = namespaceSelect.value;
    replace(namespaceSelect, h('option', {value: ''}, 'All namespaces'),
      answer.items.map((n) => h('option', {value: n.metadata.name}, n.metadata.name)));
    namespaceSelect.value = current;
  } catch {
    // the list view shows the error
  }
}

const leave = {name: null, tab: null, create: null};
replace(nav,
  KINDS.map((k) => h('a', {href: '#' + new URLSearchParams({kind: k.key}), 'data-kind': k.key, onclick(event) {
    event.preventDefault();
    navigate({...leave, kind: k.key});
  }}, k.title)),
  h('a', {href: '#create=1', 'data-kind': 'create', class: 'create', onclick(event) {
    event.preventDefault();
    navigate({...leave, create: '1'});
  }}, 'Create…'));
namespaceSelect.addEventListener('focus', loadNamespaces);
namespaceSelect.addEventListener('change', () => navigate({...leave, ns: namespaceSelect.value}));
document.getElementById('filter').addEventListener('submit', (event) => {
  event.preventDefault();
  navigate({name: null, tab: null, l: selectorInput.value.trim() || null});
});
document.getElementById('logout').addEventListener('click', async () => {
  await logout();
  location.assign('/ui/login');
});
window.addEventListener('hashchange', render);
loadNamespaces();
render();
