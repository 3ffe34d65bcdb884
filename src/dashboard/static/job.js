// One job: what it builds, its status history (live), every build attempt,
// the build log that follows itself while the job builds (GET …/log from
// the offset already shown: nothing is downloaded twice), and its actions.
import {getJson, getText, send, session} from './api.js';
import {el, message, statusBadge} from './dom.js';

const kFinal = ['Uploaded', 'Failed', 'Cancelled'];
const kPollMs = 500;

function facts(job) {
  const pi = job.packageinstance;
  const name = pi.package.name;
  return el('dl', {class: 'facts'},
    el('dt', {}, 'Package'), el('dd', {}, el('a', {id: 'package-link', href: `#/package/${encodeURIComponent(name)}`}, name),
      ' ', pi.package.version, ' · ',
      el('a', {id: 'other-jobs', href: `#/jobs?package=${encodeURIComponent(name)}`}, 'all jobs of this package')),
    el('dt', {}, 'Target'), el('dd', {}, `${pi.distribution.name} / ${pi.arch.name} / ${pi.suite.name} / ${pi.format.name}` +
      (pi.build_env ? ` (env ${pi.build_env.name})` : '')),
    el('dt', {}, 'Master'), el('dd', {id: 'master'}, pi.master ? 'yes' : 'no'));
}

function historyRow(h, n) {
  return el('tr', {}, el('td', {}, String(n)), el('td', {}, statusBadge(h.status)),
    el('td', {}, h.time ?? ''), el('td', {}, h.buildclient ?? ''), el('td', {}, h.reason ?? ''));
}

class LogFollower {
  constructor(id, box, info) {
    Object.assign(this, {id, box, info, offset: 0, attempt: null, finished: false, busy: false,
      timer: null, chosen: null});
  }
  async poll() {
    if (this.busy) return;
    this.busy = true;
    try {
      const a = this.chosen ? `&attempt=${this.chosen}` : '';
      const res = await getText(`/job/${this.id}/log?offset=${this.offset}${a}`);
      const attempt = Number(res.headers.get('X-Log-Attempt') ?? 0);
      if (!this.chosen && this.attempt !== null && attempt !== this.attempt) {
        this.box.textContent = '';  // a new attempt began: its log starts afresh
        this.offset = 0;
        this.attempt = attempt;
        return;
      }
      this.attempt = attempt;
      const text = await res.text();
      this.box.append(document.createTextNode(text));
      this.offset = Number(res.headers.get('X-Log-Length') ?? this.offset);
      this.finished = this.chosen !== null || res.headers.get('X-Job-Finished') === 'true';
      this.info.textContent = `attempt ${attempt}, ${this.offset} bytes` + (this.finished ? '' : ', following…');
      if (text && this.box.dataset.follow !== 'off') this.box.scrollTop = this.box.scrollHeight;
    } finally { this.busy = false; }
  }
  start() {
    const tick = async () => {
      try { await this.poll(); } catch { /* tried again */ }
      if (!this.finished) this.timer = setTimeout(tick, kPollMs);
    };
    tick();
  }
  wake() { if (this.finished) { this.finished = false; this.start(); } }
  stop() { clearTimeout(this.timer); this.finished = true; }
}

function actions(id, job, status, out, reload) {
  const act = (label, idName, fn) => el('button', {type: 'button', id: idName, disabled: !session.user,
    title: session.user ? '' : 'sign in to act', onclick: async () => {
      try {
        const result = await fn();
        out.replaceChildren(typeof result === 'string' ? message('ok', result) : result);
        reload();
      } catch (e) { out.replaceChildren(message('error', e.message)); }
    }}, label);
  const pi = job.packageinstance;
  return el('p', {class: 'actions'},
    act('Cancel', 'cancel', async () => `Cancel: ${(await send('GET', `/job/${id}/cancel`)).result}`),
    act('Retry', 'retry', async () => {
      const r = await send('GET', `/job/${id}/retry`);
      const newId = r.jobs[0];
      return el('p', {class: 'msg ok'}, 'Retried as ', el('a', {id: 'retried', href: `#/job/${newId}`}, `job ${newId}`));
    }),
    act(pi.master ? 'Unset master' : 'Set master', 'master-toggle', async () => {
      await send('GET', `/packageinstance/${pi.id}/togglemaster/${pi.master ? 0 : 1}`);
      return 'Master flag changed';
    }),
    kFinal.includes(status) ? el('span', {class: 'quiet'}, ' (finished: Retry builds it again)') : '');
}

export async function render(view, params, idText) {
  const id = Number(idText);
  const [job, history] = await Promise.all([getJson(`/job/${id}`), getJson(`/job/${id}/status`)]);
  let status = history.length ? history[history.length - 1].status : 'Waiting';
  const badge = el('span', {id: 'job-status'}, statusBadge(status));
  const rows = el('tbody', {id: 'history'}, history.map((h, i) => historyRow(h, i + 1)));
  const attempts = history.filter((h) => h.status === 'Building').length;
  const out = el('div', {id: 'action-result'});
  const actionBox = el('div');
  const logBox = el('pre', {class: 'log', id: 'log'});
  const logInfo = el('p', {class: 'quiet', id: 'log-info'});
  const chosen = params.get('attempt');
  const attemptLinks = el('p', {class: 'attempts'}, 'Attempts: ',
    Array.from({length: attempts}, (_, i) => [el('a', {href: `#/job/${id}?attempt=${i + 1}`}, String(i + 1)), ' ']),
    attempts ? el('a', {href: `#/job/${id}`}, '(latest, following)') : 'none yet');
  const reload = async () => {
    const fresh = await getJson(`/job/${id}`);
    Object.assign(job, fresh);
    document.getElementById('master').textContent = fresh.packageinstance.master ? 'yes' : 'no';
    actionBox.replaceChildren(actions(id, job, status, out, reload));
  };
  actionBox.append(actions(id, job, status, out, reload));
  view.append(el('h1', {}, `Job ${id} `, badge), facts(job), actionBox, out,
    el('h2', {}, 'History'), el('table', {},
      el('thead', {}, el('tr', {}, ['#', 'Status', 'Time', 'Client', 'Reason'].map((h) => el('th', {}, h)))), rows),
    el('h2', {}, 'Build log'), attemptLinks, logInfo, logBox);
  const follower = new LogFollower(id, logBox, logInfo);
  follower.chosen = chosen ? Number(chosen) : null;
  follower.start();
  return {
    onEvent(type, d) {
      if ((type !== 'status' && type !== 'created') || d.job !== id) return;
      status = d.status;
      badge.replaceChildren(statusBadge(status));
      rows.append(historyRow({status: d.status, time: d.time, buildclient: d.client, reason: d.reason},
        rows.children.length + 1));
      if (!follower.chosen) follower.wake();
    },
    dispose() { follower.stop(); },
  };
}
