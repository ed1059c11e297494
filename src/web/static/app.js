// The preferences page: plain DOM code, no build step. Every change goes through the JSON API
// (docs/api.md) with the session's CSRF token. User-provided text is only ever set with
// textContent, never parsed as HTML.

import { api, h, say, setCsrf } from './dom.js';

const $ = (sel) => document.querySelector(sel);
let me = null;
let threshold = 9000;

async function attempt(fn, done) {
  try {
    await fn();
    if (done) say(done);
  } catch (err) {
    // A 401 while logged in means the session ended (logout elsewhere, password change, restart);
    // before login it is a wrong user name or password, which must be said.
    if (err.status === 401 && me) {
      showLogin();
      return say('Your session has ended; please log in again.', true);
    }
    say(err.message, true);
  }
}

function showLogin() {
  me = null;
  setCsrf(null);
  $('#login-view').hidden = false;
  $('#app-view').hidden = true;
  $('#who').hidden = true;
}

async function showApp() {
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  $('#who').hidden = false;
  $('#who-name').textContent = me.displayName || me.username;
  $('#admin-view').hidden = !me.isAdmin;
  await Promise.all([loadCalendars(), loadConnection(), me.isAdmin ? loadUsers() : null]);
}

function largeWarning(c) {
  if (!c.large) return null;
  return h('span', { class: 'warning', role: 'note' }, `${c.entries} entries — devices may synchronize it slowly or fail to; consider turning synchronization off`);
}

/** The calendar's name as the page says it; a shared one also names its owner, so two "Personal" rows stay distinguishable (also for screen readers). */
function calendarName(c) {
  return c.access === 'owner' ? c.displayName : `${c.displayName} (${c.owner})`;
}

function syncSwitch(c) {
  const label = h('span', { class: 'switch-label', 'aria-hidden': 'true' }, c.sync ? 'On' : 'Off');
  const btn = h('button', {
    type: 'button', role: 'switch', class: 'switch', 'aria-checked': String(c.sync),
    'aria-label': `Synchronization of ${calendarName(c)}`, 'data-calendar': c.uri,
  });
  btn.addEventListener('click', () => attempt(async () => {
    const next = btn.getAttribute('aria-checked') !== 'true';
    const updated = await api('PATCH', `/calendars/${encodeURIComponent(c.uri)}`, { sync: next });
    btn.setAttribute('aria-checked', String(updated.sync));
    label.textContent = updated.sync ? 'On' : 'Off';
    c.sync = updated.sync;
    say(`${calendarName(c)}: synchronization ${updated.sync ? 'on' : 'off'}`);
  }));
  return h('div', {}, btn, label, largeWarning(c));
}

function nameCell(c, editable) {
  const swatch = h('span', { class: 'swatch', style: `background:${c.color && /^#[0-9a-fA-F]{6,8}$/.test(c.color) ? c.color.slice(0, 7) : '#9ca3af'}` });
  const cell = h('td', {}, swatch, h('strong', {}, c.displayName), h('div', { class: 'hint' }, c.path));
  if (editable) {
    const color = h('input', { type: 'color', value: c.color && /^#[0-9a-fA-F]{6}/.test(c.color) ? c.color.slice(0, 7) : '#3b82f6', 'aria-label': `Colour of ${c.displayName}` });
    color.addEventListener('change', () => attempt(async () => {
      await api('PATCH', `/calendars/${encodeURIComponent(c.uri)}`, { color: color.value });
      await loadCalendars();
    }, 'Colour changed'));
    const rename = h('button', { type: 'button', 'aria-label': `Rename ${c.displayName}`, onclick: () => {
      const name = prompt('New name', c.displayName);
      if (name) attempt(async () => { await api('PATCH', `/calendars/${encodeURIComponent(c.uri)}`, { displayName: name }); await loadCalendars(); }, 'Renamed');
    } }, 'Rename');
    cell.append(h('div', {}, color, ' ', rename));
  }
  return cell;
}

function sharesCell(c) {
  const list = h('ul', { class: 'shares' }, (c.shares || []).map((s) => h('li', {}, `${s.username} (${s.access === 'read' ? 'read only' : 'read and write'}) `,
    h('button', { type: 'button', 'aria-label': `Stop sharing ${c.displayName} with ${s.username}`, onclick: () => attempt(async () => {
      await api('DELETE', `/calendars/${encodeURIComponent(c.uri)}/shares/${encodeURIComponent(s.username)}`);
      await loadCalendars();
    }, `No longer shared with ${s.username}`) }, 'Remove'))));
  const user = h('input', { name: 'username', placeholder: 'user name', required: true, 'aria-label': `Share ${c.displayName} with user` });
  const access = h('select', { name: 'access', 'aria-label': 'Access' }, h('option', { value: 'read' }, 'read only'), h('option', { value: 'read-write' }, 'read and write'));
  const form = h('form', { class: 'inline share-form', 'data-calendar': c.uri }, user, access, h('button', { type: 'submit' }, 'Share'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(async () => {
      await api('PUT', `/calendars/${encodeURIComponent(c.uri)}/shares/${encodeURIComponent(user.value)}`, { access: access.value });
      await loadCalendars();
    }, `Shared with ${user.value}`);
  });
  return h('td', {}, list, form);
}

function removeButton(c, own) {
  const text = own ? 'Delete' : 'Remove from my list';
  return h('button', { type: 'button', 'aria-label': `${text}: ${calendarName(c)}`, onclick: () => {
    const question = own ? `Delete "${c.displayName}" and its ${c.entries} entries for everyone?` : `Remove "${c.displayName}" from your calendars? The owner keeps it.`;
    if (confirm(question)) attempt(async () => { await api('DELETE', `/calendars/${encodeURIComponent(c.uri)}`); await loadCalendars(); }, own ? 'Calendar deleted' : 'Removed');
  } }, text);
}

async function loadCalendars() {
  const { mine, others } = await api('GET', '/calendars');
  $('#mine tbody').replaceChildren(...mine.map((c) => h('tr', { 'data-calendar': c.uri },
    nameCell(c, true), h('td', {}, String(c.entries)), sharesCell(c), h('td', {}, syncSwitch(c)), h('td', {}, removeButton(c, true)))));
  $('#others tbody').replaceChildren(...others.map((c) => h('tr', { 'data-calendar': c.uri },
    nameCell(c, false), h('td', {}, String(c.entries)), h('td', {}, `${c.owner} — ${c.access === 'read' ? 'read only' : 'read and write'}`),
    h('td', {}, syncSwitch(c)), h('td', {}, removeButton(c, false)))));
  $('#others').hidden = others.length === 0;
  $('#others-empty').hidden = others.length > 0;
}

async function loadConnection() {
  const c = await api('GET', '/connection');
  const rows = [
    ['Server (Thunderbird, DAVx⁵)', c.serverUrl],
    ['Principal URL', c.principalUrl],
    ['Calendar home', c.homeUrl],
    ['User name', c.username],
  ];
  $('#connection').replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  if (!c.https) $('#connection').append(h('dt', {}, 'Note'), h('dd', { class: 'hint' }, 'iPhones and Macs only send passwords over HTTPS: put Sundial behind an HTTPS reverse proxy.'));
}

async function loadUsers() {
  const { users } = await api('GET', '/users');
  $('#users tbody').replaceChildren(...users.map((u) => h('tr', {}, h('td', {}, u.username), h('td', {}, u.isAdmin ? 'administrator' : 'user'),
    h('td', {},
      h('button', { type: 'button', 'aria-label': `Reset password of ${u.username}`, onclick: () => {
        const pw = prompt(`New password for ${u.username} (at least 8 characters)`);
        if (pw) attempt(() => api('POST', `/users/${encodeURIComponent(u.username)}/password`, { password: pw }), `Password of ${u.username} reset`);
      } }, 'Reset password'), ' ',
      u.username === me.username ? null : h('button', { type: 'button', 'aria-label': `Delete user ${u.username}`, onclick: () => {
        if (confirm(`Delete ${u.username} and all their calendars?`)) attempt(async () => { await api('DELETE', `/users/${encodeURIComponent(u.username)}`); await loadUsers(); }, `${u.username} deleted`);
      } }, 'Delete')))));
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

$('#login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  attempt(async () => {
    const data = await api('POST', '/login', formData(e.target));
    setCsrf(data.csrfToken);
    me = data.user;
    e.target.reset();
    await showApp();
  }, 'Logged in');
});

$('#logout').addEventListener('click', () => attempt(async () => { await api('POST', '/logout'); showLogin(); }, 'Logged out'));

$('#create-form').addEventListener('submit', (e) => {
  e.preventDefault();
  attempt(async () => { await api('POST', '/calendars', formData(e.target)); e.target.reset(); await loadCalendars(); }, 'Calendar created');
});

$('#password-form').addEventListener('submit', (e) => {
  e.preventDefault();
  attempt(async () => { await api('POST', '/password', formData(e.target)); e.target.reset(); }, 'Password changed');
});

$('#user-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const data = formData(e.target);
  attempt(async () => { await api('POST', '/users', { ...data, isAdmin: data.isAdmin === 'on' }); e.target.reset(); await loadUsers(); }, `User ${data.username} added`);
});

(async () => {
  try {
    const data = await api('GET', '/me');
    setCsrf(data.csrfToken);
    me = data.user;
    threshold = data.largeCalendarThreshold;
    await showApp();
  } catch {
    showLogin();
  }
})();
