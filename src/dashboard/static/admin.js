// Admin: the lookup tables and mappings (add, change what the controller
// lets change, delete, with the controller's 4xx message shown as it
// answered), and the submit form (vcshook fields).
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
    show: (r) => `${r.suite.name} / ${r.arch.name} (weight ${r.master_weight}) [id ${r.id}]`,
    change: (r) => ({master_weight: r.master_weight})},
  {path: '/buildenv_suitearch', title: 'Build env ↔ suite/arch', fields: ['buildenv', 'suitearch_id'],
    show: (r) => `${r.buildenv.name} → ${r.suitearch.suite.name}/${r.suitearch.arch.name} [suite arch ${r.suitearch.id}]`,
    change: (r) => ({buildenv: r.buildenv.name, suitearch_id: r.suitearch.id})},
  {path: '/blacklist', title: 'Blacklist', fields: ['field', 'regex'], show: (r) => `${r.field} ~ ${r.regex}`,
    change: (r) => ({field: r.field, regex: r.regex})},
];

function failed(out, err) { out.replaceChildren(message('error', `${err.status}: ${err.message}`)); }

// A row's change form in place of the row: its changeable fields, filled in.
function changeForm(t, r, out, reload) {
  const name = t.path.slice(1);
  const inputs = Object.entries(t.change(r)).map(([f, v]) => el('input', {name: f, value: v, size: 12, title: f}));
  return el('form', {id: `change-${name}-${r.id}`, class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    const fields = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
    try {
      await send('PUT', `${t.path}/${r.id}`, fields, {keepEmpty: true});
      out.replaceChildren(message('ok', 'Changed'));
      reload();
    } catch (err) { failed(out, err); }
  }}, inputs, el('button', {type: 'submit'}, 'save'), ' ',
  el('button', {type: 'button', class: 'small', onclick: reload}, 'cancel'));
}

function section(t) {
  const name = t.path.slice(1);
  const list = el('ul', {class: 'rows', id: `list-${name}`});
  const out = el('div', {id: `result-${name}`});
  const load = async () => {
    const rows = await getJson(t.path);
    list.replaceChildren(...rows.map((r) => {
      const li = el('li', {'data-id': r.id}, t.show(r), ' ');
      if (t.change) {
        li.append(el('button', {type: 'button', class: 'small change', disabled: !session.user,
          onclick: () => li.replaceChildren(changeForm(t, r, out, load))}, 'change'), ' ');
      }
      li.append(el('button', {type: 'button', class: 'small', disabled: !session.user, onclick: async () => {
        try { await send('DELETE', `${t.path}/${r.id}`); out.replaceChildren(message('ok', 'Deleted')); load(); } catch (e) {
          failed(out, e);
        }
      }}, 'delete'));
      return li;
    }));
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
    } catch (err) { failed(out, err); }
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
