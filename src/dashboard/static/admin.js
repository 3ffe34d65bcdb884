// Admin: the lookup tables and mappings (add, delete, with the controller's
// 4xx message shown as it answered), and the submit form (vcshook fields).
import {getJson, send, session} from './api.js';
import {el, message} from './dom.js';

const kTables = [
  {path: '/arch', title: 'Architectures', fields: ['name'], show: (r) => r.name},
  {path: '/dist', title: 'Distributions', fields: ['name'], show: (r) => r.name},
  {path: '/suite', title: 'Suites', fields: ['name'], show: (r) => r.name},
  {path: '/format', title: 'Formats', fields: ['name'], show: (r) => r.name},
  {path: '/env', title: 'Build environments', fields: ['name'], show: (r) => r.name},
  {path: '/status', title: 'Statuses', fields: ['name'], show: (r) => r.name},
  {path: '/suitearch', title: 'Suite ↔ arch (master weight)', fields: ['suite', 'arch', 'master_weight'],
    show: (r) => `${r.suite.name} / ${r.arch.name} (weight ${r.master_weight}) [id ${r.id}]`},
  {path: '/buildenv_suitearch', title: 'Build env ↔ suite/arch', fields: ['buildenv', 'suitearch_id'],
    show: (r) => `${r.buildenv.name} → ${r.suitearch.suite.name}/${r.suitearch.arch.name}`},
  {path: '/blacklist', title: 'Blacklist', fields: ['field', 'regex'], show: (r) => `${r.field} ~ ${r.regex}`},
];

function section(t) {
  const name = t.path.slice(1);
  const list = el('ul', {class: 'rows', id: `list-${name}`});
  const out = el('div', {id: `result-${name}`});
  const load = async () => {
    const rows = await getJson(t.path);
    list.replaceChildren(...rows.map((r) => el('li', {}, t.show(r), ' ',
      el('button', {type: 'button', class: 'small', disabled: !session.user, onclick: async () => {
        try { await send('DELETE', `${t.path}/${r.id}`); out.replaceChildren(message('ok', 'Deleted')); load(); } catch (e) {
          out.replaceChildren(message('error', e.message));
        }
      }}, 'delete'))));
  };
  const inputs = t.fields.map((f) => el('input', {name: f, placeholder: f, size: 12}));
  const form = el('form', {id: `add-${name}`, onsubmit: async (e) => {
    e.preventDefault();
    const fields = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
    try {
      await send('POST', t.path, fields);
      out.replaceChildren(message('ok', 'Added'));
      for (const i of inputs) i.value = '';
      load();
    } catch (err) { out.replaceChildren(message('error', `${err.status}: ${err.message}`)); }
  }}, inputs, el('button', {type: 'submit', disabled: !session.user}, 'Add'));
  return {node: el('section', {class: 'admin'}, el('h2', {}, t.title), list, form, out), load};
}

export async function render(view) {
  view.append(el('h1', {}, 'Admin'));
  if (!session.user) view.append(message('info', 'Sign in as an admin to change these tables.'));
  const sections = kTables.map(section);
  view.append(el('div', {class: 'grid'}, sections.map((s) => s.node)));
  await Promise.all(sections.map((s) => s.load().catch(() => {})));
}

const kSubmitFields = [['package', 'hello-cbit'], ['package_version', '1.0'], ['suite', 'chickpea'],
  ['distribution', 'Debian'], ['architecture_list', 'any'], ['format', 'deb'],
  ['uri', 'https://git.example/hello.git'], ['vcs_id', 'commit or revision (optional)'],
  ['directory', 'package directory (svn, optional)']];

export async function renderSubmit(view) {
  const out = el('div', {id: 'submit-result'});
  const method = el('select', {name: 'method'}, ['git', 'svn', 'apt'].map((m) => el('option', {value: m}, m)));
  const inputs = kSubmitFields.map(([f, hint]) => el('input', {name: f, placeholder: hint, size: 40}));
  const form = el('form', {id: 'submit-form', class: 'stack', onsubmit: async (e) => {
    e.preventDefault();
    const fields = {method: method.value, ...Object.fromEntries(inputs.map((i) => [i.name, i.value]))};
    try {
      const r = await send('POST', '/job/vcshook', fields);
      out.replaceChildren(el('p', {class: 'msg ok'}, 'Submitted: ',
        r.jobs.map((id) => [el('a', {href: `#/job/${id}`}, `job ${id}`), ' ']),
        r.cancelled.length ? `superseded ${r.cancelled.join(', ')}` : ''));
    } catch (err) { out.replaceChildren(message('error', `${err.status}: ${err.message}`)); }
  }}, inputs.map((i) => el('label', {}, el('span', {}, i.name), i)),
  el('label', {}, el('span', {}, 'method'), method),
  el('button', {type: 'submit', disabled: !session.user}, 'Submit'));
  view.append(el('h1', {}, 'Submit a build'), session.user ? '' : message('info', 'Sign in to submit.'), form, out);
}
