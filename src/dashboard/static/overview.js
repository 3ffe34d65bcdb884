// Overview: per target how many jobs wait, build and failed today; each
// build client with its job and when it was last heard from; the latest
// failures with the last lines of their logs.
import {getJson, getText} from './api.js';
import {ago, el, jobLink, statusBadge, table} from './dom.js';

const kTail = 2000;  // bytes of a failed job's log shown

async function logTail(id) {
  const head = await fetch(`/job/${id}/log`, {method: 'HEAD', cache: 'no-store'});
  const length = Number(head.headers.get('X-Log-Length') ?? 0);
  const res = await getText(`/job/${id}/log?offset=${Math.max(0, length - kTail)}`);
  const lines = (await res.text()).split('\n');
  return lines.slice(-12).join('\n');
}

function targetsTable(summary) {
  const byTarget = new Map();
  for (const t of summary.targets) {
    const key = `${t.dist}/${t.arch}/${t.suite}/${t.format}`;
    const row = byTarget.get(key) ?? {t, Waiting: 0, Building: 0, Failed: 0};
    row[t.status === 'Blocked' ? 'Waiting' : t.status] += t.jobs;
    byTarget.set(key, row);
  }
  const link = (t, status, n) => el('a', {href: `#/jobs?dist=${encodeURIComponent(t.dist)}` +
    `&arch=${encodeURIComponent(t.arch)}&suite=${encodeURIComponent(t.suite)}` +
    `&format=${encodeURIComponent(t.format)}&status=${status}`}, String(n));
  const rows = [...byTarget.entries()].map(([key, r]) => el('tr', {},
    el('td', {}, key), el('td', {class: 'num'}, link(r.t, 'Waiting', r.Waiting)),
    el('td', {class: 'num'}, link(r.t, 'Building', r.Building)),
    el('td', {class: r.Failed ? 'num bad' : 'num'}, link(r.t, 'Failed', r.Failed))));
  if (!rows.length) return el('p', {class: 'quiet'}, 'Nothing waits, builds or failed today.');
  return table(['Target (dist/arch/suite/format)', 'Waiting', 'Building', 'Failed today'], rows);
}

function clientsTable(clients, building) {
  const rows = clients.map((c) => el('tr', {'data-client': c.name},
    el('td', {}, el('a', {href: `#/jobs?client=${encodeURIComponent(c.name)}`}, c.name)),
    el('td', {}, building.get(c.name) ? jobLink(building.get(c.name)) : 'idle'),
    el('td', {title: c.last_heard ?? ''}, c.last_heard_us !== undefined ? ago(c.last_heard_us)
      : (c.last_heard ?? 'never')),
    el('td', {}, statusBadge(c.active ? 'Active' : 'Gone'))));
  if (!rows.length) return el('p', {class: 'quiet'}, 'No build client has been heard from.');
  return table(['Client', 'Building', 'Last heard', 'State'], rows);
}

export async function render(view) {
  const targets = el('section', {id: 'targets'});
  const clientsBox = el('section', {id: 'clients'});
  const failures = el('section', {id: 'failures'});
  view.append(el('h1', {}, 'Overview'), el('h2', {}, 'Targets'), targets,
    el('h2', {}, 'Build clients'), clientsBox, el('h2', {}, 'Latest failures'), failures);

  const loadTargets = async () => targets.replaceChildren(targetsTable(await getJson('/job/summary')));
  let clients = await getJson('/buildd/heartbeats');
  const building = new Map();
  for (const j of await getJson('/job?status=Building&limit=500&view=rows'))
    if (j.client) building.set(j.client, j.id);
  const drawClients = () => clientsBox.replaceChildren(clientsTable(clients, building));
  const loadFailures = async () => {
    const failed = await getJson('/job?status=Failed&limit=5&view=rows');
    const items = await Promise.all(failed.map(async (j) => el('article', {class: 'failure'},
      el('h3', {}, jobLink(j.id), ` ${j.package} ${j.version} ${j.arch}/${j.suite} `,
        el('span', {class: 'quiet'}, j.time ?? '')),
      el('pre', {class: 'log'}, await logTail(j.id).catch(() => '(no log)')))));
    failures.replaceChildren(...(items.length ? items : [el('p', {class: 'quiet'}, 'None.')]));
  };
  await Promise.all([loadTargets(), loadFailures()]);
  drawClients();

  let timer = null;
  const later = () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; loadTargets(); loadFailures(); }, 500);
  };
  return {
    onEvent(type, d) {
      if (type === 'created' || type === 'status' || type === 'reset') later();
      if (type !== 'client') return;
      const c = clients.find((x) => x.name === d.client);
      const entry = {name: d.client, last_heard: d.last_heard, last_heard_us: d.last_heard_us,
        active: d.last_heard_us !== null && Date.now() * 1000 - d.last_heard_us < 300e6};
      if (c) Object.assign(c, entry); else clients.push(entry);
      for (const [k, v] of building) if (k === d.client || v === d.job) building.delete(k);
      if (d.job) building.set(d.client, d.job);
      drawClients();
    },
    dispose() { clearTimeout(timer); },
  };
}
