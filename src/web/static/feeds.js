// The "Subscription links" and "Import" part of the settings (docs/feeds.md): plain DOM code, no
// build step, beside app.js (shared helpers in dom.js). It renders into #feeds-view whenever
// #app-view is shown (after login) and empties itself when it is hidden again (logout), so a
// freshly shown secret URL never outlives the session on screen. User-provided text only ever
// goes through textContent.

import { api, h, say, setCsrf, urlField } from './dom.js';
import { dateTime, t } from './i18n.js';
import { confirmDialog } from './dialogs.js';

const section = document.querySelector('#feeds-view');
const appView = document.querySelector('#app-view');
let loading = null;

async function attempt(fn, done) {
  try {
    await fn();
    if (done) say(done);
  } catch (err) {
    if (err.status === 401) return; // app.js shows the login form
    say(err.message, true);
  }
}

const when = (iso) => (iso ? dateTime(iso) : t('feeds.never'));

function feedUrl(label, url) {
  const row = urlField(label, url);
  row.querySelector('input').classList.add('feed-url');
  return row;
}

/** The secret URLs of a just created or regenerated link: shown this once. */
function showSecret(made, what) {
  const box = section.querySelector('#feed-new');
  const scheme = made.url.slice(0, made.url.indexOf(':'));
  box.replaceChildren(
    h('p', {}, h('strong', {}, `${what} `), t('feeds.onceOnly')),
    h('p', { class: 'field-label' }, t('feeds.httpLabel', { scheme })),
    feedUrl(t('feeds.httpLink', { scheme }), made.url),
    h('p', { class: 'field-label' }, t('feeds.webcalLabel')),
    feedUrl(t('feeds.webcalLink'), made.webcalUrl),
    h('button', { type: 'button', class: 'primary', onclick: () => { box.replaceChildren(); box.hidden = true; } }, t('feeds.done')),
  );
  box.hidden = false;
  box.querySelector('input').focus();
}

function scopeText(f) {
  if (!f.available) return t('feeds.unavailable');
  if (f.group) return t('feeds.group', { group: f.group });
  return f.calendar === null ? t('feeds.allSync') : f.calendarName || f.calendar;
}

/** The user's groups, offered as "all of the group's calendars" (issue 15; people.js manages groups). */
let myGroups = [];
const groupOptions = () => (myGroups.length ? [h('optgroup', { label: t('feeds.groups') }, myGroups.map((g) => h('option', { value: `group:${g}` }, t('feeds.group', { group: g }))))] : []);

function alarmsText(f) {
  if (f.details === 'busy') return t('feeds.alarmsBusy');
  return f.alarms ? t('feeds.alarmsKept') : t('feeds.alarmsRemoved');
}

function linkRow(f) {
  const name = f.label || scopeText(f);
  return h('tr', { 'data-feed': f.id },
    h('td', { 'data-label': t('feeds.col.link') }, h('strong', {}, name), f.label ? h('div', { class: 'hint' }, scopeText(f)) : null),
    h('td', { 'data-label': t('feeds.col.details') }, f.details === 'busy' ? t('feeds.busy') : t('feeds.full')),
    h('td', { 'data-label': t('feeds.col.alarms') }, alarmsText(f)),
    h('td', { 'data-label': t('feeds.col.created') }, when(f.createdAt)),
    h('td', { 'data-label': t('feeds.col.lastUsed') }, when(f.lastUsedAt)),
    h('td', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('feeds.regenerateOf', { name }), onclick: async () => {
        if (await confirmDialog(t('feeds.regenerateTitle'), t('feeds.regenerateQuestion', { name }), t('feeds.regenerate'))) attempt(async () => {
          const made = await api('POST', `/feeds/${f.id}/regenerate`);
          await loadFeeds();
          showSecret(made, t('feeds.regenerated'));
        });
      } }, t('feeds.regenerate')), ' ',
      h('button', { type: 'button', class: 'danger-outline', 'aria-label': t('feeds.revokeOf', { name }), onclick: async () => {
        if (await confirmDialog(t('feeds.revokeTitle'), t('feeds.revokeQuestion', { name }), t('feeds.revoke'))) attempt(async () => { await api('DELETE', `/feeds/${f.id}`); await loadFeeds(); }, t('feeds.revoked'));
      } }, t('feeds.revoke'))));
}

/** Calendar pickers follow the calendar tables that app.js re-renders (create, delete, unshare). */
async function refreshPickers({ mine, others }) {
  if (appView.hidden || !section.querySelector('#feed-form')) return;
  const calendars = [...mine, ...others];
  const feedSelect = section.querySelector('#feed-form select[name=calendar]');
  const importSelect = section.querySelector('#import-form select[name=calendar]');
  const keep = [feedSelect.value, importSelect.value];
  feedSelect.replaceChildren(h('option', { value: '' }, t('feeds.allSync')), ...calendarOptions(calendars), ...groupOptions());
  importSelect.replaceChildren(...calendarOptions(calendars, writable));
  const restore = (select, value) => { if ([...select.options].some((o) => o.value === value)) select.value = value; };
  restore(feedSelect, keep[0]);
  restore(importSelect, keep[1]);
  await loadFeeds();
}
document.addEventListener('sundial:calendars', (e) => attempt(() => refreshPickers(e.detail)));

const writable = (c) => c.access !== 'read' && c.components.includes('VEVENT');

function calendarOptions(calendars, filter = () => true) {
  return calendars.filter(filter).map((c) => h('option', { value: c.uri }, c.access === 'owner' ? c.displayName : `${c.displayName} (${c.owner})`));
}

function createForm(calendars) {
  const details = h('select', { name: 'details' }, h('option', { value: 'full' }, t('feeds.full')), h('option', { value: 'busy' }, t('feeds.busyLong')));
  const alarms = h('select', { name: 'alarms' }, h('option', { value: 'kept' }, t('feeds.alarmsKept')), h('option', { value: 'removed' }, t('feeds.alarmsRemoved')));
  // Busy-only links never carry alarms (ical/privacy.ts): the choice is shown as made for the user.
  const alarmsFollow = () => {
    const busy = details.value === 'busy';
    if (busy) alarms.value = 'removed';
    alarms.disabled = busy;
  };
  details.addEventListener('change', alarmsFollow);
  const form = h('form', { class: 'inline', id: 'feed-form' },
    h('label', { class: 'field' }, h('span', {}, t('feeds.calendar')), h('select', { name: 'calendar' }, h('option', { value: '' }, t('feeds.allSync')), calendarOptions(calendars), groupOptions())),
    h('label', { class: 'field' }, h('span', {}, t('feeds.details')), details),
    h('label', { class: 'field' }, h('span', {}, t('feeds.alarms')), alarms),
    h('label', { class: 'field' }, h('span', {}, t('feeds.label')), h('input', { name: 'label', maxlength: 200, placeholder: t('feeds.labelPlaceholder'), 'aria-describedby': 'feed-label-hint' })),
    h('p', { class: 'hint full-width', id: 'feed-label-hint' }, t('feeds.labelHint')),
    h('button', { type: 'submit', class: 'primary' }, t('feeds.create')));
  form.addEventListener('reset', () => setTimeout(alarmsFollow));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    attempt(async () => {
      const group = data.calendar?.startsWith('group:') ? data.calendar.slice(6) : null;
      const made = await api('POST', '/feeds', { calendar: group ? null : data.calendar || null, group, details: data.details, alarms: data.details !== 'busy' && data.alarms !== 'removed', label: data.label || null });
      form.reset();
      await loadFeeds();
      showSecret(made, t('feeds.created'));
    });
  });
  return form;
}

const IMPORT_LIMIT = 32 * 1024 * 1024;

function importForm(calendars) {
  const file = h('input', { type: 'file', name: 'file', accept: '.ics,text/calendar', required: true });
  const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'inline', id: 'import-form' },
    h('label', { class: 'field' }, h('span', {}, t('feeds.calendar')), h('select', { name: 'calendar', required: true }, calendarOptions(calendars, writable))),
    h('label', { class: 'field' }, h('span', {}, t('import.file')), file),
    h('button', { type: 'submit', class: 'primary' }, t('import.submit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = file.files[0];
    const calendar = new FormData(form).get('calendar');
    if (!f || !calendar) return;
    if (f.size > IMPORT_LIMIT) return say(t('import.tooLarge'), true);
    const button = form.querySelector('button');
    button.disabled = true;
    say(t('import.running', { file: f.name }));
    attempt(async () => {
      try {
        const s = await api('POST', `/feeds/import?calendar=${encodeURIComponent(calendar)}`, f, 'text/calendar');
        // Only what applies is added: replaceChildren(null) would print a literal "null".
        result.replaceChildren(...[
          h('p', {}, t('import.summary', { file: f.name, imported: s.imported, replaced: s.replaced, unchanged: s.unchanged, skipped: s.skippedCount })),
          s.skippedCount ? h('ul', { class: 'hint' }, s.skipped.map((k) => h('li', {}, `${k.item}: ${k.reason}`)), s.skippedCount > s.skipped.length ? h('li', {}, t('import.more', { count: s.skippedCount - s.skipped.length })) : null) : null,
          s.large ? h('p', { class: 'warning', role: 'note' }, t('import.large', { entries: t('entries', { count: s.entries }) })) : null,
        ].filter(Boolean));
        form.reset();
        say(t('import.finished'));
        // The calendar table shows the new count (and the large-calendar warning).
        document.dispatchEvent(new CustomEvent('sundial:calendars-changed'));
      } finally {
        button.disabled = false;
      }
    });
  });
  return h('div', {}, form, result);
}

async function loadFeeds() {
  const { feeds } = await api('GET', '/feeds');
  const tbody = section.querySelector('#feeds tbody');
  tbody.replaceChildren(...feeds.map(linkRow));
  section.querySelector('#feeds').hidden = feeds.length === 0;
  section.querySelector('#feeds-empty').hidden = feeds.length > 0;
}

async function load() {
  const me = await api('GET', '/me');
  setCsrf(me.csrfToken);
  const { mine, others } = await api('GET', '/calendars');
  const calendars = [...mine, ...others];
  myGroups = (await api('GET', '/groups')).groups.filter((g) => g.members.includes(me.user.username)).map((g) => g.name);
  section.replaceChildren(
    h('h2', { id: 'feeds-title' }, t('feeds.title')),
    h('p', { class: 'hint' }, t('feeds.intro')),
    h('div', { id: 'feed-new', class: 'feed-new', hidden: true, 'aria-live': 'polite' }),
    h('p', { class: 'hint', id: 'feeds-empty' }, t('feeds.none')),
    h('table', { id: 'feeds', class: 'cards' },
      h('thead', {}, h('tr', {}, ['feeds.col.link', 'feeds.col.details', 'feeds.col.alarms', 'feeds.col.created', 'feeds.col.lastUsed'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('col.actions'))))),
      h('tbody')),
    createForm(calendars),
    h('h2', { id: 'import-title' }, t('import.title')),
    h('p', { class: 'hint' }, t('import.intro')),
    importForm(calendars),
  );
  section.hidden = false;
  await loadFeeds();
}

function sync() {
  if (appView.hidden) {
    section.replaceChildren();
    section.hidden = true;
    setCsrf(null);
    return;
  }
  loading ??= load().catch((err) => { if (err.status !== 401) say(err.message, true); }).finally(() => { loading = null; });
}

if (section && appView) {
  new MutationObserver(sync).observe(appView, { attributes: true, attributeFilter: ['hidden'] });
  sync();
}
