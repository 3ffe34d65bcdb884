// Build clients: state (building, idle, gone), the job each builds, the
// queues it consumes (as its heartbeat said), when each was last heard from
// (live from the event stream), the jobs it built.
import {getJson} from './api.js';
import {ago, el, jobLink, statusBadge, table} from './dom.js';

const kLeaseUs = 300e6;

function state(c) {
  if (c.job) return 'Building';
  if (c.last_heard_us !== null && Date.now() * 1000 - c.last_heard_us < kLeaseUs) return 'Idle';
  return 'Gone';
}

export async function render(view) {
  const clients = new Map();
  for (const c of await getJson('/buildd/heartbeats'))
    clients.set(c.name, {name: c.name, id: c.id, last_heard: c.last_heard, last_heard_us: null, job: null,
      queues: c.queues});
  for (const j of await getJson('/job?status=Building&limit=500&view=rows'))
    if (j.client && clients.has(j.client)) clients.get(j.client).job = j.id;
  const body = el('tbody', {id: 'client-rows'});
  const draw = () => body.replaceChildren(...[...clients.values()].map((c) => el('tr', {'data-client': c.name},
    el('td', {}, c.name), el('td', {}, statusBadge(state(c))), el('td', {}, c.job ? jobLink(c.job) : ''),
    el('td', {class: 'queues'}, c.queues ? c.queues.map((q) => el('code', {}, q, ' ')) : el('span', {class: 'quiet'}, 'not reported')),
    el('td', {title: c.last_heard ?? ''}, c.last_heard_us !== null ? ago(c.last_heard_us) : (c.last_heard ?? 'never')),
    el('td', {}, el('a', {href: `#/jobs?client=${encodeURIComponent(c.name)}`}, 'jobs built')))));
  draw();
  const t = table(['Client', 'State', 'Building', 'Queues', 'Last heard', ''], []);
  t.querySelector('tbody').replaceWith(body);
  view.append(el('h1', {}, 'Build clients'), t,
    el('p', {class: 'quiet'}, 'Gone: not heard from within the lease (controller.lease_seconds, 300 s by default).'));
  const timer = setInterval(draw, 10000);
  return {
    onEvent(type, d) {
      if (type !== 'client') return;
      const c = clients.get(d.client) ?? {name: d.client};
      Object.assign(c, {last_heard: d.last_heard, last_heard_us: d.last_heard_us, job: d.job});
      clients.set(d.client, c);
      draw();
    },
    dispose() { clearInterval(timer); },
  };
}
