// Building the page safely: every piece of data becomes a text node or an attribute value,
// never markup. No module of the dashboard uses innerHTML (a unit test checks it).

// h('a', {href: url, class: 'x', onclick: fn}, 'text', child, [more]) -> an element.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'value') el.value = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// Addresses the dashboard may link to: the simulator's own loopback network only.
export function safeUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    const loopback = /^127\.\d+\.\d+\.\d+$/.test(parsed.hostname) || parsed.hostname === 'localhost';
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && loopback ? parsed.href : null;
  } catch {
    return null;
  }
}

// A link that opens a pod's or service's page in a new tab (text only when not loopback).
export function external(url, text = url) {
  const safe = safeUrl(url);
  if (safe === null) return document.createTextNode(text);
  return h('a', {href: safe, target: '_blank', rel: 'noopener noreferrer', class: 'external'}, text);
}

// A link inside the dashboard (hash route).
export function route(params, text) {
  return h('a', {href: '#' + new URLSearchParams(params).toString()}, text);
}
