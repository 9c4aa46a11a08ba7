// The dashboard's only way to the cluster: same-origin requests to /ui/api/ (the server adds the
// token), each with the header that proves it comes from this page. Lists are followed with
// watches read from the response stream (fetch + ReadableStream); logs stream the same way.

const MARK = {'X-Pykctl-Dashboard': '1'};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function send(url, {method = 'GET', body, type, accept = 'application/json', signal} = {}) {
  const headers = {...MARK, Accept: accept};
  if (type) headers['Content-Type'] = type;
  const response = await fetch(url, {method, headers, body, signal, credentials: 'same-origin'});
  if (response.status === 401) {
    location.assign('/ui/login');
    throw new ApiError(401, 'not logged in');
  }
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try {
      message = JSON.parse(text).message || text;
    } catch {
      // a plain-text answer is its own message
    }
    throw new ApiError(response.status, message);
  }
  return response;
}

// call('GET', '/api/v1/pods') -> the JSON answer.
export async function call(method, path, body, type = 'application/json') {
  const response = await send('/ui/api' + path, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    type: body === undefined ? undefined : type,
  });
  return response.status === 204 ? null : response.json();
}

export const get = (path) => call('GET', path);

export async function yamlOf(path) {
  return (await send('/ui/yaml' + path, {accept: 'text/yaml'})).text();
}

// Pasted YAML -> [{ref, path, object}] (placed by the server; namespace for those naming none).
export async function placeManifests(text, namespace) {
  const url = '/ui/manifests?' + new URLSearchParams({namespace});
  const response = await send(url, {method: 'POST', body: text, type: 'text/yaml'});
  return (await response.json()).items;
}

export function apiPath(kind, namespace, name, sub) {
  let path = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  if (kind.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += '/' + kind.plural;
  if (name) path += '/' + encodeURIComponent(name);
  if (sub) path += '/' + sub;
  return path;
}

async function* chunks(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      yield decoder.decode(value, {stream: true});
    }
  } finally {
    reader.releaseLock();
  }
}

// Stream a text answer (logs) into onText until it ends or signal aborts.
export async function streamText(path, onText, signal) {
  const response = await send('/ui/api' + path, {accept: 'text/plain', signal});
  for await (const text of chunks(response)) onText(text);
}

// Follow a collection: onList(items) with the current objects, then onEvent(type, object) for
// each change. Starts over with a fresh list when the watch ends or is too old (410).
// Returns a function that stops following.
export function follow(path, query, {onList, onEvent, onError}) {
  const control = new AbortController();
  const run = async () => {
    while (!control.signal.aborted) {
      try {
        const list = await (await send('/ui/api' + path + '?' + new URLSearchParams(query),
          {signal: control.signal})).json();
        onList(list.items || []);
        const params = {...query, watch: 'true', allowWatchBookmarks: 'true',
          resourceVersion: list.metadata.resourceVersion};
        const response = await send('/ui/api' + path + '?' + new URLSearchParams(params),
          {signal: control.signal});
        let pending = '';
        for await (const text of chunks(response)) {
          pending += text;
          const lines = pending.split('\n');
          pending = lines.pop();
          for (const line of lines) {
            if (!line.trim()) continue;
            const event = JSON.parse(line);
            if (event.type === 'ERROR') throw new ApiError(event.object.code, event.object.message);
            if (event.type !== 'BOOKMARK') onEvent(event.type, event.object);
          }
        }
      } catch (err) {
        if (control.signal.aborted) return;
        if (err instanceof ApiError && err.status === 410) continue;
        onError(err);
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) return;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  };
  run();
  return () => control.abort();
}

export async function logout() {
  await send('/ui/logout', {method: 'POST'}).catch(() => {});
}
