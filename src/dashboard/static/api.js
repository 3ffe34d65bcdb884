// The REST API as the pages use it. Actions send the session's CSRF token;
// cbit-web also checks that they come from its own origin.
export const session = {user: null, role: null, csrf: null};

export class ApiError extends Error {
  constructor(status, text) { super(text); this.status = status; }
}

async function check(res) {
  if (res.ok) return res;
  let text = `HTTP ${res.status}`;
  try { text = (await res.json()).error ?? text; } catch { /* not JSON */ }
  throw new ApiError(res.status, text);
}

function headers(extra = {}) {
  // The header also tells cbit-web not to ask the browser for Basic
  // credentials on a 401.
  return {'X-CSRF-Token': session.csrf ?? '-', ...extra};
}

export async function getJson(path) {
  const res = await check(await fetch(path, {headers: headers(), cache: 'no-store'}));
  return res.json();
}

export async function getText(path) {
  return check(await fetch(path, {headers: headers(), cache: 'no-store'}));
}

// Empty fields are left out, unless `keepEmpty` (a change that empties a
// field must reach the controller, which says what it thinks of it).
function formBody(fields, keepEmpty) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && (keepEmpty || v !== '')) body.append(k, v);
  return body;
}

export async function send(method, path, fields = null, {keepEmpty = false} = {}) {
  const init = {method, headers: headers(), cache: 'no-store'};
  if (fields) {
    init.body = formBody(fields, keepEmpty);
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const res = await check(await fetch(path, init));
  const type = res.headers.get('Content-Type') ?? '';
  return type.startsWith('application/json') ? res.json() : res.text();
}

export async function loadSession() {
  Object.assign(session, await getJson('/session'));
}

export async function signIn(user, password) {
  Object.assign(session, await send('POST', '/session', {user, password}));
}

export async function signOut() {
  await send('POST', '/session/delete');
  Object.assign(session, {user: null, role: null, csrf: null});
}
