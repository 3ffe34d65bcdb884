// The dashboard's shell: hash routes (#/jobs?status=Failed, #/job/12, …)
// so every page has a URL to share, the sign-in state, and one event stream
// (GET /events) whose events go to the page on show. EventSource reconnects
// by itself and sends Last-Event-ID, so a page misses no event.
import {loadSession, session, signOut} from './api.js';
import {el} from './dom.js';
import * as overview from './overview.js';
import * as jobs from './jobs.js';
import * as job from './job.js';
import * as packages from './packages.js';
import * as clients from './clients.js';
import * as admin from './admin.js';
import * as signin from './signin.js';

const routes = [
  [/^\/?$/, overview.render, 'overview'],
  [/^\/jobs$/, jobs.render, 'jobs'],
  [/^\/job\/(\d+)$/, job.render, 'jobs'],
  [/^\/packages$/, packages.renderList, 'packages'],
  [/^\/package\/(.+)$/, packages.renderOne, 'packages'],
  [/^\/clients$/, clients.render, 'clients'],
  [/^\/admin$/, admin.render, 'admin'],
  [/^\/submit$/, admin.renderSubmit, 'submit'],
  [/^\/signin$/, signin.render, ''],
];

let current = null;  // what the page on show returned: {onEvent, dispose}

export function navigate(hash) { location.hash = hash; }

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  return {path: decodeURIComponent(path), params};
}

async function show() {
  if (current?.dispose) current.dispose();
  current = null;
  const {path, params} = parseHash();
  const view = document.getElementById('view');
  for (const [re, render, nav] of routes) {
    const m = path.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll('nav a'))
      a.classList.toggle('here', a.dataset.page === nav);
    // Each page renders into a box of its own: a page left before it
    // finished loading draws into a detached box and is disposed at once.
    const box = el('div');
    view.replaceChildren(box);
    const page = {};
    current = page;
    try {
      Object.assign(page, (await render(box, params, ...m.slice(1))) ?? {});
    } catch (e) {
      box.append(el('p', {class: 'msg error'}, `Could not load this page: ${e.message}`));
    }
    if (current !== page && page.dispose) page.dispose();
    return;
  }
  view.replaceChildren(el('h1', {}, 'Not found'), el('p', {}, `No page ${path}`));
}

function showWho() {
  const who = document.getElementById('who');
  if (session.user) {
    who.replaceChildren(
      el('span', {id: 'user'}, `${session.user} (${session.role})`), ' ',
      el('button', {id: 'signout', type: 'button', onclick: async () => {
        await signOut();
        showWho();
        show();
      }}, 'Sign out'));
  } else {
    who.replaceChildren(el('a', {id: 'signin', href: '#/signin'}, 'Sign in'));
  }
}

let source = null;

function listen() {
  const live = document.getElementById('live');
  source = new EventSource('/events');
  const deliver = (type) => (e) => {
    let data = null;
    try { data = JSON.parse(e.data); } catch { return; }
    if (type === 'ready') { live.textContent = 'live'; live.classList.add('on'); }
    if (current?.onEvent) current.onEvent(type, data);
  };
  for (const type of ['created', 'status', 'client', 'ready', 'reset'])
    source.addEventListener(type, deliver(type));
  source.onerror = () => { live.textContent = 'reconnecting'; live.classList.remove('on'); };
}

// A page left for another (or kept in the back/forward cache) gives its
// stream back: browsers allow six connections to a host.
window.addEventListener('pagehide', () => source?.close());
window.addEventListener('pageshow', (e) => { if (e.persisted) listen(); });
window.addEventListener('hashchange', show);
window.addEventListener('cbit-session', () => { showWho(); });
(async () => {
  try { await loadSession(); } catch { /* reads may need sign-in */ }
  showWho();
  listen();
  show();
})();
