// The "Subscription links" and "Import" part of the preferences page (docs/feeds.md): plain DOM
// code, no build step, beside app.js (shared helpers in dom.js). It renders into #feeds-view whenever #app-view is
// shown (after login) and empties itself when it is hidden again (logout), so a freshly shown
// secret URL never outlives the session on screen. User-provided text only ever goes through
// textContent.

import { api, h, say, setCsrf } from './dom.js';

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

const when = (iso) => (iso ? new Date(iso).toLocaleString() : 'never');

async function copy(text, input) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API outside secure contexts (plain http other than localhost): select instead.
    input.focus();
    input.select();
    document.execCommand('copy');
  }
  say('Link copied');
}

function urlRow(label, url) {
  const input = h('input', { type: 'text', readonly: true, value: url, size: 60, 'aria-label': label, class: 'feed-url' });
  return h('div', { class: 'feed-url-row', style: 'display:flex;flex-wrap:wrap;gap:0.5rem;align-items:end;margin:0.4rem 0' }, h('label', {}, label, input),
    h('button', { type: 'button', onclick: () => copy(url, input) }, `Copy ${label.startsWith('webcal') ? 'webcal' : 'https'} link`));
}

/** The secret URLs of a just created or regenerated link: shown this once. */
function showSecret(made, what) {
  const box = section.querySelector('#feed-new');
  box.replaceChildren(
    h('p', {}, h('strong', {}, `${what}. `), 'Copy it now: it is shown only once. Anyone who has it can read what it shows.'),
    urlRow('https:// link (Google Calendar, Outlook on the web: "From URL")', made.url),
    urlRow('webcal:// link (Apple Calendar, Outlook: opens the subscription)', made.webcalUrl),
    h('button', { type: 'button', onclick: () => { box.replaceChildren(); box.hidden = true; } }, 'Done'),
  );
  box.hidden = false;
  box.querySelector('input').focus();
}

function scopeText(f) {
  if (!f.available) return 'calendar no longer available';
  return f.calendar === null ? 'All calendars with synchronization on' : f.calendarName || f.calendar;
}

function linkRow(f) {
  const name = f.label || scopeText(f);
  return h('tr', { 'data-feed': f.id },
    h('td', {}, h('strong', {}, name), f.label ? h('div', { class: 'hint' }, scopeText(f)) : null),
    h('td', {}, f.details === 'busy' ? 'Busy only (times)' : 'Full details'),
    h('td', {}, f.details === 'busy' || !f.alarms ? 'Removed' : 'Kept'),
    h('td', {}, when(f.createdAt)),
    h('td', {}, when(f.lastUsedAt)),
    h('td', {},
      h('button', { type: 'button', 'aria-label': `New secret URL for ${name}`, onclick: () => {
        if (confirm(`Give "${name}" a new URL? Subscriptions using the old one stop working.`)) attempt(async () => {
          const made = await api('POST', `/feeds/${f.id}/regenerate`);
          await loadFeeds();
          showSecret(made, 'New link created');
        });
      } }, 'Regenerate'), ' ',
      h('button', { type: 'button', 'aria-label': `Revoke ${name}`, onclick: () => {
        if (confirm(`Revoke "${name}"? Subscriptions using it stop at once.`)) attempt(async () => { await api('DELETE', `/feeds/${f.id}`); await loadFeeds(); }, 'Link revoked');
      } }, 'Revoke')));
}

/** Calendar pickers follow the calendar tables that app.js re-renders (create, delete, unshare). */
let pickerRefresh = null;
function watchCalendars() {
  const tables = ['#mine tbody', '#others tbody'].map((sel) => document.querySelector(sel)).filter(Boolean);
  const observer = new MutationObserver(() => {
    clearTimeout(pickerRefresh);
    pickerRefresh = setTimeout(() => attempt(refreshPickers), 200);
  });
  for (const t of tables) observer.observe(t, { childList: true });
}

async function refreshPickers() {
  if (appView.hidden || !section.querySelector('#feed-form')) return;
  const { mine, others } = await api('GET', '/calendars');
  const calendars = [...mine, ...others];
  const feedSelect = section.querySelector('#feed-form select[name=calendar]');
  const importSelect = section.querySelector('#import-form select[name=calendar]');
  const keep = [feedSelect.value, importSelect.value];
  feedSelect.replaceChildren(h('option', { value: '' }, 'All calendars with synchronization on'), ...calendarOptions(calendars));
  importSelect.replaceChildren(...calendarOptions(calendars, writable));
  const restore = (select, value) => { if ([...select.options].some((o) => o.value === value)) select.value = value; };
  restore(feedSelect, keep[0]);
  restore(importSelect, keep[1]);
  await loadFeeds();
}

const writable = (c) => c.access !== 'read' && c.components.includes('VEVENT');

function calendarOptions(calendars, filter = () => true) {
  return calendars.filter(filter).map((c) => h('option', { value: c.uri }, c.access === 'owner' ? c.displayName : `${c.displayName} (${c.owner})`));
}

function createForm(calendars) {
  const form = h('form', { class: 'inline', id: 'feed-form' },
    h('label', {}, 'Calendar', h('select', { name: 'calendar' }, h('option', { value: '' }, 'All calendars with synchronization on'), calendarOptions(calendars))),
    h('label', {}, 'Details', h('select', { name: 'details' }, h('option', { value: 'full' }, 'Full details'), h('option', { value: 'busy' }, 'Busy only (hide titles, places, people…)'))),
    h('label', {}, h('span', {}, 'Alarms'), h('select', { name: 'alarms' }, h('option', { value: 'kept' }, 'Kept'), h('option', { value: 'removed' }, 'Removed'))),
    h('label', {}, 'Label (optional)', h('input', { name: 'label', maxlength: 200, placeholder: 'e.g. Google at work' })),
    h('button', { type: 'submit' }, 'Create link'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    attempt(async () => {
      const made = await api('POST', '/feeds', { calendar: data.calendar || null, details: data.details, alarms: data.alarms !== 'removed', label: data.label || null });
      form.reset();
      await loadFeeds();
      showSecret(made, 'Link created');
    });
  });
  return form;
}

const IMPORT_LIMIT = 32 * 1024 * 1024;

function importForm(calendars) {
  const file = h('input', { type: 'file', name: 'file', accept: '.ics,text/calendar', required: true });
  const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'inline', id: 'import-form' },
    h('label', {}, 'Calendar', h('select', { name: 'calendar', required: true }, calendarOptions(calendars, writable))),
    h('label', {}, '.ics file', file),
    h('button', { type: 'submit' }, 'Import'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = file.files[0];
    const calendar = new FormData(form).get('calendar');
    if (!f || !calendar) return;
    if (f.size > IMPORT_LIMIT) return say('The file is larger than 32 MB; use "sundial import" on the server.', true);
    const button = form.querySelector('button');
    button.disabled = true;
    say(`Importing ${f.name}…`);
    attempt(async () => {
      try {
        const s = await api('POST', `/feeds/import?calendar=${encodeURIComponent(calendar)}`, f, 'text/calendar');
        result.replaceChildren(
          h('p', {}, `${f.name}: ${s.imported} imported, ${s.replaced} replaced, ${s.unchanged} unchanged, ${s.skippedCount} skipped.`),
          s.skippedCount ? h('ul', { class: 'hint' }, s.skipped.map((k) => h('li', {}, `${k.item}: ${k.reason}`)), s.skippedCount > s.skipped.length ? h('li', {}, `… and ${s.skippedCount - s.skipped.length} more`) : null) : null,
          s.large ? h('p', { class: 'warning', role: 'note' }, `The calendar now has ${s.entries} entries — devices may synchronize it slowly or fail to; consider turning synchronization off`) : null,
        );
        form.reset();
        say('Import finished');
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
  section.replaceChildren(
    h('h2', { id: 'feeds-title' }, 'Subscription links'),
    h('p', { class: 'hint' }, 'Private links show your calendars, read-only, in Google Calendar, Outlook or Apple Calendar. ',
      'Whoever has a link can read what it shows, without a password: "Busy only" hides titles, descriptions, places, people and alarms. ',
      'Subscribers refresh on their own schedule (Google every few hours).'),
    h('div', { id: 'feed-new', class: 'feed-new', hidden: true, 'aria-live': 'polite', style: 'border:1px solid #16a34a;background:#f0fdf4;border-radius:4px;padding:0.5rem 0.75rem;margin:0.75rem 0' }),
    h('p', { class: 'hint', id: 'feeds-empty' }, 'No links yet.'),
    h('table', { id: 'feeds' },
      h('thead', {}, h('tr', {}, ['Link', 'Details', 'Alarms', 'Created', 'Last used'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody')),
    createForm(calendars),
    h('h2', { id: 'import-title' }, 'Import an .ics file'),
    h('p', { class: 'hint' }, 'Adds the events and to-dos of a file exported from another calendar. Importing the same file again updates entries instead of duplicating them.'),
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
  watchCalendars();
  sync();
}
