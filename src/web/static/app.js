// The web app: plain DOM code, no build step. Every change goes through the JSON API
// (docs/api.md) with the session's CSRF token. User-provided text is only ever set with
// textContent, never parsed as HTML. Two views: the settings (calendars, sharing, links,
// connection, password, users) and the agenda (agenda.js), chosen by the URL's #hash.

import { api, h, say, setCsrf, urlField } from './dom.js';
import { LANGUAGES, lang, num, switchLanguage, t, translatePage } from './i18n.js';
import { confirmDialog, infoDialog, textDialog } from './dialogs.js';
import { hideAgenda, showAgenda } from './agenda.js';
import { freeBusyToggle } from './freebusy.js';

const $ = (sel) => document.querySelector(sel);
let me = null;

async function attempt(fn, done) {
  try {
    await fn();
    if (done) say(done);
  } catch (err) {
    // A 401 while logged in means the session ended (logout elsewhere, password change, restart);
    // before login it is a wrong user name or password, which must be said.
    if (err.status === 401 && me) {
      showLogin();
      return say(t('session.ended'), true);
    }
    say(err.message, true);
  }
}

function showLogin() {
  me = null;
  setCsrf(null);
  $('#login-view').hidden = false;
  $('#app-view').hidden = true;
  hideAgenda();
  $('#who').hidden = true;
  $('#tabs').hidden = true;
}

async function showApp() {
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  $('#who').hidden = false;
  $('#tabs').hidden = false;
  $('#who-name').textContent = me.displayName || me.username;
  $('#admin-view').hidden = !me.isAdmin;
  $('#nav-admin').hidden = !me.isAdmin;
  route();
  await Promise.all([loadCalendars(), loadConnection(), me.isAdmin ? loadUsers() : null]);
}

/** #agenda shows the agenda; anything else the settings (with #calendars, #links… as in-page anchors). */
function route() {
  if (!me) return;
  const agenda = location.hash === '#agenda';
  $('#agenda-view').hidden = !agenda;
  $('#settings-view').hidden = agenda;
  for (const a of document.querySelectorAll('#tabs a')) {
    const current = (a.getAttribute('href') === '#agenda') === agenda;
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (agenda) showAgenda($('#agenda-view')).catch((err) => say(err.message, true));
  else hideAgenda();
}
window.addEventListener('hashchange', route);

const entries = (n) => t('entries', { count: n });

function largeWarning(c) {
  if (!c.large) return null;
  return h('span', { class: 'warning', role: 'note' }, t('calendars.large', { entries: entries(c.entries) }));
}

/** The calendar's name as the page says it; a shared one also names its owner, so two "Personal" rows stay distinguishable (also for screen readers). */
function calendarName(c) {
  return c.access === 'owner' ? c.displayName : `${c.displayName} (${c.owner})`;
}

function syncSwitch(c) {
  const label = h('span', { class: 'switch-label', 'aria-hidden': 'true' }, c.sync ? t('switch.on') : t('switch.off'));
  const btn = h('button', {
    type: 'button', role: 'switch', class: 'switch', 'aria-checked': String(c.sync),
    'aria-label': t('switch.label', { name: calendarName(c) }), 'data-calendar': c.uri,
  });
  btn.addEventListener('click', () => attempt(async () => {
    const next = btn.getAttribute('aria-checked') !== 'true';
    const updated = await api('PATCH', `/calendars/${encodeURIComponent(c.uri)}`, { sync: next });
    btn.setAttribute('aria-checked', String(updated.sync));
    label.textContent = updated.sync ? t('switch.on') : t('switch.off');
    c.sync = updated.sync;
    say(t(updated.sync ? 'switch.saidOn' : 'switch.saidOff', { name: calendarName(c) }));
  }));
  return h('div', { class: 'switch-row' }, btn, label, largeWarning(c), freeBusyToggle(c, calendarName(c), attempt));
}

const HEX = /^#[0-9a-fA-F]{6}/;
/** What the page shows for a calendar without a colour: neutral grey, in the swatch and the picker alike. */
export const NO_COLOUR = '#9ca3af';
const colourOf = (c) => (c.color && HEX.test(c.color) ? c.color.slice(0, 7) : null);

function nameCell(c, editable) {
  const colour = colourOf(c);
  const swatch = h('span', { class: colour ? 'swatch' : 'swatch none', style: `background:${colour ?? NO_COLOUR}` });
  const cell = h('td', { class: 'name-cell', 'data-label': t('calendars.col.calendar') }, swatch, h('strong', {}, c.displayName), h('div', { class: 'hint path' }, c.path));
  if (editable) {
    // A calendar without a colour shows the same grey as its swatch, not a colour it does not have;
    // any other colour, the default blue included, can then be picked.
    const color = h('input', { type: 'color', value: colour ?? NO_COLOUR, 'aria-label': t('calendars.colourOf', { name: c.displayName }), title: colour ? colour : t('calendars.noColour') });
    color.addEventListener('change', () => attempt(async () => {
      await api('PATCH', `/calendars/${encodeURIComponent(c.uri)}`, { color: color.value });
      await loadCalendars();
    }, t('calendars.colourChanged')));
    const rename = h('button', { type: 'button', class: 'secondary', 'aria-label': t('calendars.renameOf', { name: c.displayName }), onclick: async () => {
      const name = await textDialog(t('calendars.renameTitle', { name: c.displayName }), t('calendars.newName'), c.displayName, t('calendars.rename'));
      if (name) attempt(async () => { await api('PATCH', `/calendars/${encodeURIComponent(c.uri)}`, { displayName: name }); await loadCalendars(); }, t('calendars.renamed'));
    } }, t('calendars.rename'));
    cell.append(h('div', { class: 'row-tools' }, color, rename));
  }
  return cell;
}

const accessText = (a) => (a === 'read' ? t('access.read') : t('access.readWrite'));

function sharesCell(c) {
  const list = h('ul', { class: 'shares' }, (c.shares || []).map((s) => h('li', {}, h('span', {}, `${s.username} (${accessText(s.access)})`),
    h('button', { type: 'button', class: 'secondary small', 'aria-label': t('shares.stopOf', { name: c.displayName, user: s.username }), onclick: () => attempt(async () => {
      await api('DELETE', `/calendars/${encodeURIComponent(c.uri)}/shares/${encodeURIComponent(s.username)}`);
      await loadCalendars();
    }, t('shares.stopped', { user: s.username })) }, t('shares.stop')))));
  const user = h('input', { name: 'username', placeholder: t('shares.userPlaceholder'), required: true, autocomplete: 'off', 'aria-label': t('shares.withUser', { name: c.displayName }) });
  const access = h('select', { name: 'access', 'aria-label': t('shares.access') }, h('option', { value: 'read' }, t('access.read')), h('option', { value: 'read-write' }, t('access.readWrite')));
  const form = h('form', { class: 'inline share-form', 'data-calendar': c.uri }, user, access, h('button', { type: 'submit', class: 'secondary' }, t('shares.share')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(async () => {
      await api('PUT', `/calendars/${encodeURIComponent(c.uri)}/shares/${encodeURIComponent(user.value)}`, { access: access.value });
      await loadCalendars();
    }, t('shares.shared', { user: user.value }));
  });
  return h('td', { 'data-label': t('calendars.col.shared') }, list, form);
}

function removeButton(c, own) {
  const text = own ? t('calendars.delete') : t('calendars.unsubscribe');
  return h('button', { type: 'button', class: 'danger-outline', 'aria-label': `${text}: ${calendarName(c)}`, onclick: async () => {
    const ok = own
      ? await confirmDialog(t('calendars.deleteTitle'), t('calendars.deleteQuestion', { name: c.displayName, entries: entries(c.entries) }), t('calendars.delete'))
      : await confirmDialog(t('calendars.unsubscribeTitle'), t('calendars.unsubscribeQuestion', { name: c.displayName }), t('calendars.unsubscribe'));
    if (ok) attempt(async () => { await api('DELETE', `/calendars/${encodeURIComponent(c.uri)}`); await loadCalendars(); }, own ? t('calendars.deleted') : t('calendars.unsubscribed'));
  } }, text);
}

async function loadCalendars() {
  const { mine, others } = await api('GET', '/calendars');
  $('#mine tbody').replaceChildren(...mine.map((c) => h('tr', { 'data-calendar': c.uri },
    nameCell(c, true), h('td', { 'data-label': t('calendars.col.entries') }, num(c.entries)), sharesCell(c),
    h('td', { 'data-label': t('calendars.col.sync') }, syncSwitch(c)), h('td', { class: 'actions' }, removeButton(c, true)))));
  $('#others tbody').replaceChildren(...others.map((c) => h('tr', { 'data-calendar': c.uri },
    nameCell(c, false), h('td', { 'data-label': t('calendars.col.entries') }, num(c.entries)), h('td', { 'data-label': t('calendars.col.ownerAccess') }, `${c.owner} — ${accessText(c.access)}`),
    h('td', { 'data-label': t('calendars.col.sync') }, syncSwitch(c)), h('td', { class: 'actions' }, removeButton(c, false)))));
  $('#others').hidden = others.length === 0;
  $('#others-empty').hidden = others.length > 0;
  document.dispatchEvent(new CustomEvent('sundial:calendars', { detail: { mine, others } }));
}
// Another part of the page changed calendars (an import adds entries): show the new counts.
document.addEventListener('sundial:calendars-changed', () => { if (me) attempt(loadCalendars); });

async function loadConnection() {
  const c = await api('GET', '/connection');
  const rows = [
    [t('connect.server'), c.serverUrl, true],
    [t('connect.principal'), c.principalUrl, true],
    [t('connect.home'), c.homeUrl, true],
    [t('connect.username'), c.username, false],
  ];
  $('#connection').replaceChildren(...rows.flatMap(([k, v, isUrl]) => [h('dt', {}, k), h('dd', {}, isUrl ? urlField(k, v, { several: true }) : h('code', {}, v))]));
  if (!c.https) $('#connection').append(h('dt', {}, t('connect.note')), h('dd', { class: 'hint note' }, t('connect.httpsNote')));
}

/** A password of 16 letters and digits from the browser's CSPRNG (about 95 bits), without look-alikes. */
function generatePassword() {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const out = [];
  const bytes = new Uint8Array(64);
  while (out.length < 16) {
    crypto.getRandomValues(bytes);
    // Rejection sampling keeps every character equally likely.
    for (const b of bytes) if (b < 224 && out.length < 16) out.push(alphabet[b % 56]);
  }
  return out.join('');
}

async function resetPassword(u) {
  if (!await confirmDialog(t('users.resetTitle', { user: u.username }), t('users.resetQuestion', { user: u.username }), t('users.reset'), { danger: false })) return;
  const pw = generatePassword();
  await attempt(async () => {
    await api('POST', `/users/${encodeURIComponent(u.username)}/password`, { password: pw });
    say(t('users.resetDone', { user: u.username }));
    await infoDialog(t('users.newPasswordTitle', { user: u.username }), h('div', {},
      h('p', {}, t('users.newPasswordOnce')),
      h('p', {}, h('code', { class: 'secret', id: 'generated-password' }, pw))));
  });
}

async function loadUsers() {
  const { users } = await api('GET', '/users');
  $('#users tbody').replaceChildren(...users.map((u) => h('tr', {}, h('td', { 'data-label': t('users.col.user') }, u.username), h('td', { 'data-label': t('users.col.role') }, u.isAdmin ? t('users.admin') : t('users.user')),
    h('td', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('users.resetOf', { user: u.username }), onclick: () => resetPassword(u) }, t('users.reset')), ' ',
      u.username === me.username ? null : h('button', { type: 'button', class: 'danger-outline', 'aria-label': t('users.deleteOf', { user: u.username }), onclick: async () => {
        if (await confirmDialog(t('users.deleteTitle'), t('users.deleteQuestion', { user: u.username }), t('users.delete'))) attempt(async () => { await api('DELETE', `/users/${encodeURIComponent(u.username)}`); await loadUsers(); }, t('users.deleted', { user: u.username }));
      } }, t('users.delete'))))));
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function languageSwitch() {
  const select = $('#lang');
  select.replaceChildren(...LANGUAGES.map(([code, name]) => h('option', { value: code, lang: code }, name)));
  select.value = lang;
  select.addEventListener('change', () => switchLanguage(select.value));
}

translatePage();
languageSwitch();

$('#login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  attempt(async () => {
    const data = await api('POST', '/login', formData(e.target));
    setCsrf(data.csrfToken);
    me = data.user;
    e.target.reset();
    await showApp();
  }, t('login.done'));
});

$('#logout').addEventListener('click', () => attempt(async () => { await api('POST', '/logout'); showLogin(); }, t('logout.done')));

$('#create-form').addEventListener('submit', (e) => {
  e.preventDefault();
  attempt(async () => { await api('POST', '/calendars', formData(e.target)); e.target.reset(); await loadCalendars(); }, t('calendars.created'));
});

$('#password-form').addEventListener('submit', (e) => {
  e.preventDefault();
  attempt(async () => { await api('POST', '/password', formData(e.target)); e.target.reset(); }, t('password.changed'));
});

$('#user-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const data = formData(e.target);
  attempt(async () => { await api('POST', '/users', { ...data, isAdmin: data.isAdmin === 'on' }); e.target.reset(); await loadUsers(); }, t('users.added', { user: data.username }));
});

(async () => {
  try {
    const data = await api('GET', '/me');
    setCsrf(data.csrfToken);
    me = data.user;
    await showApp();
  } catch {
    showLogin();
  }
})();
