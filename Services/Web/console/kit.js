// What the console's views share: the staff call, the page frame, tables, file inputs and
// waiting for a queued job. Each view module draws one area of work (folder-like: desk, points,
// appointments, payments, reviews, arrangement, documents, exam year).
import { api } from '/shared/api.js';
import { field, h } from '/shared/dom.js';

export const staffCall = (method, path, body) => api(method, path, body, 'staff');

const app = document.getElementById('app');

export function show(title, ...content) {
  document.title = `${title} - 成人高考管理信息系统`;
  app.replaceChildren(h('h2', {}, title), ...content.filter(Boolean));
  // Which view drew the page (the tests wait for it; a view loads before it draws).
  app.dataset.view = location.hash.split('?')[0];
  app.focus();
}

// Draws the current view again (after an action changed what it lists).
export const redraw = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

// A table with a caption for screen readers, scrolled sideways on a phone rather than squeezed.
export function table(id, caption, headers, rows) {
  return h('div', { class: 'scroll' }, h('table', { id },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, headers.map((title) => h('th', { scope: 'col' }, title)))),
    h('tbody', {}, rows)));
}

export const cells = (...values) => values.map((value) => (value instanceof Node ? h('td', {}, value) : h('td', {}, value ?? '')));

// A file chooser inside a group named `group` (where the API's error about it is shown).
export function fileInput(group, label, accept) {
  const chooser = field({ name: group, label, type: 'file' });
  const input = chooser.querySelector('input');
  input.removeAttribute('data-field');
  input.setAttribute('accept', accept);
  return { element: h('div', { 'data-group': group }, chooser, h('p', { class: 'error', role: 'alert' })), input, file: () => input.files[0] };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `read` every second until `finished(state)`, showing each state through `progress`.
export async function follow(read, finished, progress) {
  let state = await read();
  while (!finished(state)) {
    progress(state);
    await sleep(1000);
    state = await read();
  }
  progress(state);
  return state;
}

// A day in Beijing (the exam's calendar) as YYYY-MM-DD, `offset` days from today.
export const beijingDay = (offset = 0) => new Date(Date.now() + 8 * 3600 * 1000 + offset * 86400 * 1000).toISOString().slice(0, 10);
export const yuan = (fen) => (fen === null || fen === undefined ? '' : `${(fen / 100).toFixed(2)} 元`);
export const when = (iso) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '');
export const hasRole = (member, ...roles) => roles.some((role) => member.roles.includes(role));

// A reason box and the buttons that act on one row; each action reads the reason when clicked.
export function decisionCell(label, actions) {
  const reason = field({ name: 'reason', label: `${label}的原因`, hint: '不通过或退回时必填' });
  const value = () => reason.querySelector('input').value.trim() || undefined;
  return h('div', {}, reason, h('div', { class: 'actions' }, actions.map(({ text, kind, run }) => {
    const button = h('button', { type: 'button', class: kind }, text);
    button.addEventListener('click', () => run(button, value()));
    return button;
  })));
}
