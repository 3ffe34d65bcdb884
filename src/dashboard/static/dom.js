// DOM building: every text from the API goes in through textContent or an
// attribute, never as markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function statusBadge(status) {
  const known = ['Waiting', 'Blocked', 'Building', 'Done', 'Uploaded', 'Failed', 'Cancelled'];
  const cls = known.includes(status) ? status.toLowerCase() : 'other';
  return el('span', {class: `status ${cls}`, 'data-status': status}, status ?? '—');
}

export function jobLink(id) { return el('a', {href: `#/job/${id}`}, `#${id}`); }

export function ago(timeUs) {
  if (timeUs === null || timeUs === undefined) return 'never';
  const s = Math.max(0, Math.round((Date.now() * 1000 - timeUs) / 1e6));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

// "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) → µs since the epoch.
export function parseTime(text) {
  if (!text) return null;
  const ms = Date.parse(text.replace(' ', 'T').slice(0, 23) + 'Z');
  return Number.isNaN(ms) ? null : ms * 1000;
}

export function table(headers, rows) {
  return el('table', {},
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows));
}

export function message(kind, text) { return el('p', {class: `msg ${kind}`, role: 'status'}, text); }
