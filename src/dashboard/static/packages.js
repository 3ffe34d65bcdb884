// Packages: every name; one package's versions (active or not, cancel all
// of a version), its instances (targets, master flag) and latest jobs.
import {getJson, getText, send, session} from './api.js';
import {el, jobLink, message, statusBadge, table} from './dom.js';

export async function renderList(view) {
  const names = await getJson('/package/names');
  const filter = el('input', {id: 'package-filter', placeholder: 'filter', size: 20});
  const list = el('ul', {class: 'columns', id: 'packages'});
  const draw = () => list.replaceChildren(...names.filter((p) => p.name.includes(filter.value)).slice(0, 1000)
    .map((p) => el('li', {}, el('a', {href: `#/package/${encodeURIComponent(p.name)}`}, p.name))));
  filter.addEventListener('input', draw);
  draw();
  view.append(el('h1', {}, 'Packages'), filter, list);
}

export async function renderOne(view, params, name) {
  const enc = encodeURIComponent(name);
  const [versions, instances, jobs] = await Promise.all([
    getJson(`/package/details/${enc}`), getJson(`/packageinstance/details/${enc}`),
    getJson(`/job?package=${enc}&limit=20&view=rows`)]);
  const out = el('div', {id: 'package-result'});
  const versionRows = await Promise.all(versions.map(async (p) => {
    const active = (await (await getText(`/package/${p.id}/active`)).text()) === 'True';
    return el('tr', {}, el('td', {}, p.version), el('td', {}, active ? 'active jobs' : '—'),
      el('td', {}, el('button', {type: 'button', disabled: !session.user || !active, onclick: async () => {
        try {
          const r = await send('GET', `/package/${p.id}/cancel`);
          out.replaceChildren(message('ok', `Cancelled ${r.cancelled} jobs of ${name} ${p.version}`));
        } catch (e) { out.replaceChildren(message('error', e.message)); }
      }}, 'Cancel all')));
  }));
  const instanceRows = instances.map((pi) => el('tr', {}, el('td', {}, pi.package.version),
    el('td', {}, `${pi.distribution.name}/${pi.arch.name}/${pi.suite.name}/${pi.format.name}`),
    el('td', {}, pi.build_env?.name ?? ''), el('td', {}, pi.master ? 'master' : '')));
  const jobRows = jobs.map((j) => el('tr', {}, el('td', {}, jobLink(j.id)), el('td', {}, j.version),
    el('td', {}, j.arch), el('td', {}, statusBadge(j.status)), el('td', {}, j.time ?? '')));
  view.append(el('h1', {}, `Package ${name}`), out,
    el('h2', {}, 'Versions'), table(['Version', 'Active', ''], versionRows),
    el('h2', {}, 'Instances'), table(['Version', 'Target', 'Env', 'Master'], instanceRows),
    el('h2', {}, 'Latest jobs'), table(['Job', 'Version', 'Arch', 'Status', 'Since'], jobRows),
    el('p', {}, el('a', {href: `#/jobs?package=${enc}`}, 'all jobs of this package')));
}
