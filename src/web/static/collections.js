// The rows of the collection tables: "My calendars"/"Other calendars" (app.js) and "My address
// books"/"Other address books" (addressbooks.js) are the same table with the same Synchronization
// switch, count, large-collection warning, rename, sharing and delete (SPEC "Contacts": address
// books have the instance model of calendars). A *kind* says what differs:
//   api     the JSON API base ('/calendars', '/addressbooks'; docs/api.md)
//   attr    the row's data attribute naming the collection ('data-calendar', 'data-addressbook')
//   prefix  the catalogue prefix of its strings ('calendars', 'addressbooks'); `keys` overrides
//           single roles (the calendars' older key names)
//   colour  whether rows have a colour swatch and picker (calendars only)
//   tools   optional extra controls for a row (the address books' download link)
// User-provided text only ever goes through textContent (dom.js h()).

import { api, h } from './dom.js';
import { num, t } from './i18n.js';
import { confirmDialog, textDialog } from './dialogs.js';
import { freeBusyToggle } from './freebusy.js';

/** What the page shows for a calendar without a colour: neutral grey, in the swatch and the picker alike. */
export const NO_COLOUR = '#9ca3af';
const HEX = /^#[0-9a-fA-F]{6}/;
const colourOf = (c) => (c.color && HEX.test(c.color) ? c.color.slice(0, 7) : null);

/** The catalogue text of a role of `kind` ('rename', 'col.name', …). */
const k = (kind, role, vars) => t(kind.keys?.[role] ?? `${kind.prefix}.${role}`, vars);

const countOf = (kind, c) => k(kind, 'count', { count: c.entries });

/** The collection's name as the page says it; a shared one also names its owner, so two "Personal" rows stay distinguishable (also for screen readers). */
export function collectionName(c) {
  return c.access === 'owner' ? c.displayName : `${c.displayName} (${c.owner})`;
}

export const accessText = (a) => (a === 'read' ? t('access.read') : t('access.readWrite'));

const path = (kind, c, rest = '') => `${kind.api}/${encodeURIComponent(c.uri)}${rest}`;

function largeWarning(kind, c) {
  if (!c.large) return null;
  return h('span', { class: 'warning', role: 'note' }, k(kind, 'large', { entries: countOf(kind, c) }));
}

function syncSwitch(kind, c, page) {
  const { attempt, say } = page;
  const label = h('span', { class: 'switch-label', 'aria-hidden': 'true' }, c.sync ? t('switch.on') : t('switch.off'));
  const btn = h('button', {
    type: 'button', role: 'switch', class: 'switch', 'aria-checked': String(c.sync),
    'aria-label': t('switch.label', { name: collectionName(c) }), [kind.attr]: c.uri,
  });
  btn.addEventListener('click', () => attempt(async () => {
    const next = btn.getAttribute('aria-checked') !== 'true';
    const updated = await api('PATCH', path(kind, c), { sync: next });
    btn.setAttribute('aria-checked', String(updated.sync));
    label.textContent = updated.sync ? t('switch.on') : t('switch.off');
    c.sync = updated.sync;
    say(t(updated.sync ? 'switch.saidOn' : 'switch.saidOff', { name: collectionName(c) }));
  }));
  return h('div', { class: 'switch-row' }, btn, label, largeWarning(kind, c), kind.switchExtras ? kind.switchExtras(c, page) : null);
}

function nameCell(kind, c, editable, { attempt, reload }) {
  const colour = kind.colour ? colourOf(c) : null;
  const swatch = kind.colour ? h('span', { class: colour ? 'swatch' : 'swatch none', style: `background:${colour ?? NO_COLOUR}` }) : null;
  const cell = h('td', { class: 'name-cell', 'data-label': k(kind, 'col.name') }, swatch, h('strong', {}, c.displayName), h('div', { class: 'hint path' }, c.path));
  const tools = [];
  if (editable && kind.colour) {
    // A calendar without a colour shows the same grey as its swatch, not a colour it does not have;
    // any other colour, the default blue included, can then be picked.
    const color = h('input', { type: 'color', value: colour ?? NO_COLOUR, 'aria-label': k(kind, 'colourOf', { name: c.displayName }), title: colour ? colour : k(kind, 'noColour') });
    color.addEventListener('change', () => attempt(async () => {
      await api('PATCH', path(kind, c), { color: color.value });
      await reload();
    }, k(kind, 'colourChanged')));
    tools.push(color);
  }
  if (editable) {
    tools.push(h('button', { type: 'button', class: 'secondary', 'aria-label': k(kind, 'renameOf', { name: c.displayName }), onclick: async () => {
      const name = await textDialog(k(kind, 'renameTitle', { name: c.displayName }), k(kind, 'newName'), c.displayName, k(kind, 'rename'));
      if (name) attempt(async () => { await api('PATCH', path(kind, c), { displayName: name }); await reload(); }, k(kind, 'renamed'));
    } }, k(kind, 'rename')));
  }
  if (kind.tools) tools.push(...kind.tools(c));
  if (tools.length > 0) cell.append(h('div', { class: 'row-tools' }, tools));
  return cell;
}

function sharesCell(kind, c, { attempt, reload }) {
  const list = h('ul', { class: 'shares' }, (c.shares || []).map((s) => h('li', {}, h('span', {}, `${s.username} (${accessText(s.access)})`),
    h('button', { type: 'button', class: 'secondary small', 'aria-label': t('shares.stopOf', { name: c.displayName, user: s.username }), onclick: () => attempt(async () => {
      await api('DELETE', path(kind, c, `/shares/${encodeURIComponent(s.username)}`));
      await reload();
    }, t('shares.stopped', { user: s.username })) }, t('shares.stop')))));
  const user = h('input', { name: 'username', placeholder: t('shares.userPlaceholder'), required: true, autocomplete: 'off', 'aria-label': t('shares.withUser', { name: c.displayName }) });
  const access = h('select', { name: 'access', 'aria-label': t('shares.access') }, h('option', { value: 'read' }, t('access.read')), h('option', { value: 'read-write' }, t('access.readWrite')));
  const form = h('form', { class: 'inline share-form', [kind.attr]: c.uri }, user, access, h('button', { type: 'submit', class: 'secondary' }, t('shares.share')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(async () => {
      await api('PUT', path(kind, c, `/shares/${encodeURIComponent(user.value)}`), { access: access.value });
      await reload();
    }, t('shares.shared', { user: user.value }));
  });
  return h('td', { 'data-label': k(kind, 'col.shared') }, list, form);
}

function removeButton(kind, c, own, { attempt, reload }) {
  const text = own ? k(kind, 'delete') : k(kind, 'unsubscribe');
  return h('button', { type: 'button', class: 'danger-outline', 'aria-label': `${text}: ${collectionName(c)}`, onclick: async () => {
    const ok = own
      ? await confirmDialog(k(kind, 'deleteTitle'), k(kind, 'deleteQuestion', { name: c.displayName, entries: countOf(kind, c) }), k(kind, 'delete'))
      : await confirmDialog(k(kind, 'unsubscribeTitle'), k(kind, 'unsubscribeQuestion', { name: c.displayName }), k(kind, 'unsubscribe'));
    if (ok) attempt(async () => { await api('DELETE', path(kind, c)); await reload(); }, own ? k(kind, 'deleted') : k(kind, 'unsubscribed'));
  } }, text);
}

/**
 * The rows of the "My …" and "Other …" tables of `kind`. `page` gives `attempt(fn, doneMessage)`
 * (runs an action and reports it on the status line), `say` and `reload` (reads the tables again).
 */
export function collectionRows(kind, { mine, others }, page) {
  const row = (c, own) => h('tr', { [kind.attr]: c.uri },
    nameCell(kind, c, own, page),
    h('td', { 'data-label': k(kind, 'col.entries') }, num(c.entries)),
    own ? sharesCell(kind, c, page) : h('td', { 'data-label': k(kind, 'col.ownerAccess') }, `${c.owner} — ${accessText(c.access)}`),
    h('td', { 'data-label': k(kind, 'col.sync') }, syncSwitch(kind, c, page)),
    h('td', { class: 'actions' }, removeButton(kind, c, own, page)));
  return { mine: mine.map((c) => row(c, true)), others: others.map((c) => row(c, false)) };
}

/** The calendars' kind: their catalogue keys predate this module. */
export const CALENDARS = {
  api: '/calendars',
  attr: 'data-calendar',
  prefix: 'calendars',
  colour: true,
  keys: { 'col.name': 'calendars.col.calendar', count: 'entries' },
  // "Include in free/busy" beside the switch (issue 15 item 4; calendars only).
  switchExtras: (c, page) => freeBusyToggle(c, collectionName(c), page.attempt),
};
