// The "Devices" part of the settings (issue 16, docs/web.md): one app password per device, shown
// once with everything to connect (server URL, user name, a QR code for DAVx5, an Apple profile
// with the password in it only if the user ticks that), each device's last use and client, what
// it synchronizes (the Synchronization switches, or its own choice of calendars and address
// books, each named by its uri in its own home: the two homes are apart), revocation, and
// the "devices must use app passwords" setting. Plain DOM code beside app.js, like feeds.js: it
// renders into #devices-view while #app-view is shown and empties itself on logout, so a password
// on screen never outlives the session. User-provided text only ever goes through textContent.

import { api, h, say, setCsrf, urlField, copy } from './dom.js';
import { dateTime, t } from './i18n.js';
import { confirmDialog, formDialog, infoDialog } from './dialogs.js';

const section = document.querySelector('#devices-view');
const appView = document.querySelector('#app-view');
let loading = null;
/** The user's calendars (own and shared), as the calendar tables last showed them. */
let calendars = [];
/** The user's address books (own and shared), as /api/addressbooks last answered. */
let addressbooks = [];

async function attempt(fn, done) {
  try {
    await fn();
    if (done) say(done);
  } catch (err) {
    if (err.status === 401) return; // app.js shows the login form
    say(err.message, true);
  }
}

const when = (iso) => (iso ? dateTime(iso) : t('devices.never'));
const nameOf = (c) => (c.access === 'owner' ? c.displayName : `${c.displayName} (${c.owner})`);

function syncText(d) {
  if (d.follow) return t('devices.follows');
  const names = (uris, rows) => uris.map((uri) => rows.find((c) => c.uri === uri)).filter(Boolean).map(nameOf);
  const cals = names(d.calendars, calendars);
  const books = names(d.addressbooks, addressbooks);
  if (cals.length + books.length === 0) return t('devices.nothing');
  return [cals.length ? t('devices.syncsCalendars', { names: cals.join(', ') }) : null,
    books.length ? t('devices.syncsBooks', { names: books.join(', ') }) : null].filter(Boolean).join(' · ');
}

/** One checkbox per collection of a home, ticked as the device lists it now. */
function picker(rows, chosen, follow, name, legend) {
  const boxes = rows.map((c) => h('input', { type: 'checkbox', name, value: c.uri, checked: follow ? c.sync : chosen.includes(c.uri) }));
  const list = h('fieldset', { class: 'device-calendars' }, h('legend', {}, legend),
    rows.map((c, i) => h('label', { class: 'check' }, boxes[i], ' ', nameOf(c))));
  return { boxes, list, picked: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

/** The dialog that picks what a device synchronizes: the switches, or its own calendars and address books. */
async function chooseCalendars(d) {
  // Address books change in their own section (addressbooks.js) without telling this one: ask now
  // (on failure the list from the last load stays).
  await attempt(async () => { addressbooks = await loadAddressBooks(); });
  const follow = h('input', { type: 'radio', name: 'mode', value: 'follow', checked: d.follow });
  const own = h('input', { type: 'radio', name: 'mode', value: 'own', checked: !d.follow });
  const cals = picker(calendars, d.calendars, d.follow, 'calendar', t('devices.pick'));
  const books = picker(addressbooks, d.addressbooks, d.follow, 'addressbook', t('devices.pickBooks'));
  const follows = () => { for (const b of [...cals.boxes, ...books.boxes]) b.disabled = follow.checked; };
  follow.addEventListener('change', follows);
  own.addEventListener('change', follows);
  follows();
  const body = h('div', { class: 'stack' },
    h('label', { class: 'check' }, follow, ' ', t('devices.modeFollow')),
    h('label', { class: 'check' }, own, ' ', t('devices.modeOwn')),
    cals.list,
    addressbooks.length ? books.list : null,
    h('p', { class: 'hint' }, t('devices.pickHint')));
  const answer = await formDialog(t('devices.chooseTitle', { name: d.name }), body, t('dialog.save'),
    () => (follow.checked ? { follow: true } : { calendars: cals.picked(), addressbooks: books.picked() }));
  if (!answer) return;
  await attempt(async () => {
    await api('PATCH', `/devices/${d.id}`, answer);
    await loadDevices();
  }, t('devices.chosen', { name: d.name }));
}

function deviceRow(d) {
  return h('tr', { 'data-device': d.id },
    h('td', { 'data-label': t('devices.col.device') }, h('strong', {}, d.name)),
    h('td', { 'data-label': t('devices.col.syncs') }, syncText(d)),
    h('td', { 'data-label': t('devices.col.created') }, when(d.createdAt)),
    h('td', { 'data-label': t('devices.col.lastUsed') }, when(d.lastUsedAt)),
    h('td', { 'data-label': t('devices.col.client') }, d.lastUserAgent ? h('code', {}, d.lastUserAgent) : '—'),
    h('td', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('devices.chooseOf', { name: d.name }), onclick: () => chooseCalendars(d) }, t('devices.choose')), ' ',
      h('button', { type: 'button', class: 'danger-outline', 'aria-label': t('devices.revokeOf', { name: d.name }), onclick: async () => {
        if (await confirmDialog(t('devices.revokeTitle'), t('devices.revokeQuestion', { name: d.name }), t('devices.revoke'))) {
          attempt(async () => { await api('DELETE', `/devices/${d.id}`); await loadDevices(); }, t('devices.revoked', { name: d.name }));
        }
      } }, t('devices.revoke'))));
}

/** Downloads the device's Apple profile, with the password in it only when asked. */
async function downloadProfile(made, withPassword) {
  const res = await fetch(`/api/devices/${made.device.id}/profile`, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken },
    body: JSON.stringify(withPassword ? { password: made.password } : {}),
  });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).message ?? String(res.status));
  const url = URL.createObjectURL(new Blob([await res.text()], { type: 'application/x-apple-aspen-config' }));
  const a = h('a', { href: url, download: `sundial-${made.device.name.replace(/[^A-Za-z0-9._-]/g, '_')}.mobileconfig` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Everything to connect the new device, with its password, shown this once. */
function showOnce(made) {
  const embed = h('input', { type: 'checkbox', name: 'embed' });
  const password = h('code', { class: 'secret', id: 'device-password' }, made.password);
  const body = h('div', { class: 'stack device-once' },
    h('p', {}, h('strong', {}, t('devices.onceTitle')), ' ', t('devices.onceOnly')),
    h('dl', { class: 'connection' },
      h('dt', {}, t('connect.server')), h('dd', {}, urlField(t('connect.server'), made.serverUrl)),
      h('dt', {}, t('connect.username')), h('dd', {}, h('code', {}, made.username)),
      h('dt', {}, t('devices.password')), h('dd', {}, password, ' ',
        h('button', { type: 'button', class: 'secondary small', onclick: () => copy(made.password) }, t('devices.copyPassword')))),
    h('h3', {}, t('devices.davx5')),
    h('p', { class: 'hint' }, t('devices.davx5Hint')),
    h('img', { src: made.davx5.qr, alt: t('devices.qrAlt'), class: 'qr', width: 200, height: 200, id: 'device-qr' }),
    h('h3', {}, t('devices.apple')),
    h('label', { class: 'check' }, embed, ' ', t('devices.embed')),
    h('p', { class: 'hint' }, t('devices.embedHint')),
    h('button', { type: 'button', class: 'secondary', onclick: () => attempt(() => downloadProfile(made, embed.checked)) }, t('devices.profile')),
    h('p', { class: 'hint' }, t('devices.otherClients')));
  return infoDialog(t('devices.created', { name: made.device.name }), body);
}

let csrfToken = null;

async function loadAddressBooks() {
  const { mine, others } = await api('GET', '/addressbooks');
  return [...mine, ...others];
}

async function loadDevices() {
  const [{ devices, policy }, books] = await Promise.all([api('GET', '/devices'), loadAddressBooks()]);
  addressbooks = books;
  section.querySelector('#devices tbody').replaceChildren(...devices.map(deviceRow));
  section.querySelector('#devices').hidden = devices.length === 0;
  section.querySelector('#devices-empty').hidden = devices.length > 0;
  const box = section.querySelector('#device-policy');
  box.checked = policy.required;
  section.querySelector('#device-policy-default').textContent = policy.own === null ? t('devices.policyDefault') : '';
}

function createForm() {
  const form = h('form', { class: 'inline', id: 'device-form' },
    h('label', { class: 'field' }, h('span', {}, t('devices.name')), h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', placeholder: t('devices.namePlaceholder') })),
    h('button', { type: 'submit', class: 'primary' }, t('devices.add')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = new FormData(form).get('name');
    attempt(async () => {
      const made = await api('POST', '/devices', { name });
      form.reset();
      await loadDevices();
      say(t('devices.added', { name: made.device.name }));
      await showOnce(made);
    });
  });
  return form;
}

function policyBox() {
  const box = h('input', { type: 'checkbox', id: 'device-policy' });
  box.addEventListener('change', () => attempt(async () => {
    const p = await api('PUT', '/devices/policy', { required: box.checked });
    box.checked = p.required;
    section.querySelector('#device-policy-default').textContent = '';
  }, box.checked ? t('devices.policyOn') : t('devices.policyOff')));
  return h('p', {}, h('label', { class: 'check' }, box, ' ', t('devices.policy')), ' ', h('span', { class: 'hint', id: 'device-policy-default' }),
    h('span', { class: 'hint block' }, t('devices.policyHint')));
}

async function load() {
  const me = await api('GET', '/me');
  csrfToken = me.csrfToken;
  setCsrf(me.csrfToken);
  const { mine, others } = await api('GET', '/calendars');
  calendars = [...mine, ...others];
  section.replaceChildren(
    h('h2', { id: 'devices-title' }, t('devices.title')),
    h('p', { class: 'hint' }, t('devices.intro')),
    h('p', { class: 'hint', id: 'devices-empty' }, t('devices.none')),
    h('table', { id: 'devices', class: 'cards' },
      h('thead', {}, h('tr', {}, ['devices.col.device', 'devices.col.syncs', 'devices.col.created', 'devices.col.lastUsed', 'devices.col.client'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('col.actions'))))),
      h('tbody')),
    createForm(),
    policyBox(),
  );
  section.hidden = false;
  await loadDevices();
}

// The calendar tables changed (created, renamed, deleted, switched): names and defaults follow.
document.addEventListener('sundial:calendars', (e) => {
  calendars = [...e.detail.mine, ...e.detail.others];
  if (!appView.hidden && section.querySelector('#devices')) attempt(loadDevices);
});

function sync() {
  if (appView.hidden) {
    section.replaceChildren();
    section.hidden = true;
    csrfToken = null;
    return;
  }
  loading ??= load().catch((err) => { if (err.status !== 401) say(err.message, true); }).finally(() => { loading = null; });
}

if (section && appView) {
  new MutationObserver(sync).observe(appView, { attributes: true, attributeFilter: ['hidden'] });
  sync();
}
