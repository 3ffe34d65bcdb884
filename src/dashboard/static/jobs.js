// Jobs: newest first or sorted by a column, a page at a time (GET
// /job?limit=&view=rows&sort=&order=, paged by the last row's id and value,
// never the whole table), sorted and filtered by the server; live status
// changes patch the rows on show, new jobs appear on the newest-first page.
import {getJson} from './api.js';
import {el, jobLink, statusBadge} from './dom.js';

const kPage = 50;
const kFilters = ['status', 'package', 'version', 'arch', 'suite', 'dist', 'buildenv', 'client'];
const kStatuses = ['', 'Waiting', 'Blocked', 'Building', 'Done', 'Uploaded', 'Failed', 'Cancelled'];
const kColumns = [['id', 'Job'], ['package', 'Package'], ['version', 'Version'], ['arch', 'Arch'],
  ['suite', 'Suite'], ['dist', 'Dist'], ['buildenv', 'Env'], ['status', 'Status'],
  ['client', 'Client'], ['time', 'Since']];

const kPaging = ['before', 'after', 'key'];

function query(params) {
  const q = new URLSearchParams();
  for (const k of [...kFilters, 'since', 'until', 'sort', 'order']) if (params.get(k)) q.set(k, params.get(k));
  for (const k of kPaging) if (params.has(k)) q.set(k, params.get(k));
  return q;
}

// The value the server pages a sorted list by (a missing name is '', a
// missing time 0).
function sortKey(j, column) {
  return column === 'time' ? String(j.time_us ?? 0) : String(j[column] ?? '');
}

// A header links to the list sorted by its column (the same column again:
// the other way round), from the first page.
function header(params, key, label) {
  const sort = params.get('sort') || 'id';
  const order = params.get('order') || 'desc';
  const q = query(params);
  for (const k of kPaging) q.delete(k);
  q.set('sort', key);
  const first = key === 'id' || key === 'time' ? 'desc' : 'asc';
  q.set('order', key === sort ? (order === 'asc' ? 'desc' : 'asc') : first);
  const on = key === sort;
  return el('th', {class: on ? 'sortable sorted' : 'sortable', 'data-sort': key,
    'aria-sort': on ? (order === 'asc' ? 'ascending' : 'descending') : 'none'},
  el('a', {href: `#/jobs?${q}`}, label, on ? (order === 'asc' ? ' ▲' : ' ▼') : ''));
}

function pager(params, jobs, more) {
  const nav = el('p', {class: 'pager'});
  const base = query(params);
  const paged = kPaging.some((k) => base.has(k));
  for (const k of kPaging) base.delete(k);
  if (paged) nav.append(el('a', {href: `#/jobs?${base}`}, '« first'), ' ');
  if (!more) return nav;
  const last = jobs[jobs.length - 1];
  if (params.get('sort') || params.get('order')) {
    base.set('after', String(last.id));
    if (params.get('sort') !== 'id') base.set('key', sortKey(last, params.get('sort')));
  } else {
    base.set('before', String(last.id));
  }
  nav.append(el('a', {id: 'older', href: `#/jobs?${base}`}, 'next »'));
  return nav;
}

function cells(j) {
  return [el('td', {}, jobLink(j.id)),
    el('td', {}, el('a', {href: `#/package/${encodeURIComponent(j.package)}`}, j.package)),
    el('td', {}, j.version), el('td', {}, j.arch), el('td', {}, j.suite), el('td', {}, j.dist),
    el('td', {}, j.buildenv ?? ''), el('td', {class: 'st'}, statusBadge(j.status)),
    el('td', {class: 'cl'}, j.client ?? ''), el('td', {class: 'tm'}, j.time ?? '')];
}

function matches(params, d) {
  const field = {status: d.status, package: d.package, version: d.version, arch: d.arch,
    suite: d.suite, dist: d.dist, buildenv: d.buildenv, client: d.client};
  return kFilters.every((k) => !params.get(k) || params.get(k) === field[k]);
}

function dateToUs(value, endOfDay) {
  if (!value) return '';
  return String((Date.parse(`${value}T00:00:00Z`) + (endOfDay ? 86400000 : 0)) * 1000);
}

function filterForm(params) {
  const inputs = {};
  const fields = kFilters.map((k) => {
    inputs[k] = k === 'status'
      ? el('select', {name: k}, kStatuses.map((s) => el('option', {value: s, selected: params.get(k) === s}, s || 'any')))
      : el('input', {name: k, size: 10, value: params.get(k) ?? ''});
    return el('label', {}, `${k} `, inputs[k]);
  });
  const since = el('input', {type: 'date', name: 'since_day'});
  const until = el('input', {type: 'date', name: 'until_day'});
  return el('form', {id: 'job-filters', class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of kFilters) if (inputs[k].value) q.set(k, inputs[k].value);
    if (since.value) q.set('since', dateToUs(since.value, false));
    if (until.value) q.set('until', dateToUs(until.value, true));
    for (const k of ['sort', 'order']) if (params.get(k)) q.set(k, params.get(k));
    location.hash = `#/jobs?${q}`;
  }}, fields, el('label', {}, 'status reached from ', since), el('label', {}, ' to ', until),
  el('button', {type: 'submit'}, 'Filter'), ' ', el('a', {href: '#/jobs'}, 'clear'));
}

export async function render(view, params) {
  const q = query(params);
  q.set('limit', String(kPage + 1));
  q.set('view', 'rows');
  const t0 = performance.now();
  const rows = await getJson(`/job?${q}`);
  const more = rows.length > kPage;
  let jobs = rows.slice(0, kPage);
  const newestFirst = !kPaging.some((k) => params.has(k)) &&
    (params.get('sort') || 'id') === 'id' && params.get('order') !== 'asc';
  const body = el('tbody');
  const byId = new Map();
  const draw = () => {
    byId.clear();
    body.replaceChildren(...jobs.map((j) => {
      const tr = el('tr', {'data-job': j.id}, cells(j));
      byId.set(j.id, tr);
      return tr;
    }));
  };
  const head = el('tr', {}, kColumns.map(([key, label]) => header(params, key, label)));
  draw();
  const nav = pager(params, jobs, more);
  view.append(el('h1', {}, 'Jobs'), filterForm(params),
    el('table', {id: 'jobs'}, el('thead', {}, head), body), nav,
    el('p', {class: 'quiet', id: 'render-time'}, `${jobs.length} jobs in ${Math.round(performance.now() - t0)} ms`));
  document.body.dataset.rendered = 'jobs';
  performance.mark('jobs-rendered');
  return {
    onEvent(type, d) {
      if (type !== 'created' && type !== 'status') return;
      const tr = byId.get(d.job);
      const j = jobs.find((x) => x.id === d.job);
      if (j) {
        Object.assign(j, {status: d.status, client: d.client, time: d.time});
        tr.replaceChildren(...cells(j));
      } else if (type === 'created' && newestFirst && matches(params, d)) {
        jobs = [{...d, id: d.job}, ...jobs].slice(0, kPage);
        draw();
      }
    },
  };
}

