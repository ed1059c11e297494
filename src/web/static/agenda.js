// The agenda: the user's calendars (own and shared, synchronized or not) as a month grid, a week
// grid and a list, drawn by FullCalendar 6 (its prebuilt global bundle, served from node_modules
// by src/web/static-files.ts and loaded on first use). The instances come from GET /api/agenda,
// which expands recurrences with the server's own CalDAV expand code; times are shown in the
// browser's zone. Showing or hiding a calendar here is a view setting kept in this browser: it
// never touches the Synchronization switch. Simple events are created, moved, resized, edited
// and deleted through the API, which stores them as a DAV PUT would.
import { api, h, say } from './dom.js';
import { lang, t } from './i18n.js';
import { confirmDialog, formDialog, infoDialog } from './dialogs.js';

const HIDDEN_KEY = 'sundial.agenda.hidden';
const NO_COLOUR = '#9ca3af';
let calendar = null;
let calendars = [];
let hidden = new Set(readHidden());
/** The last answer of /api/agenda and the range it covers: toggling a calendar does not ask again. */
let cache = null;
let libraryLoad = null;
/** The view asked for at construction: FullCalendar fetches before `calendar` is assigned. */
let initialView = '';

function readHidden() {
  try {
    return JSON.parse(localStorage.getItem(HIDDEN_KEY) ?? '[]');
  } catch {
    return [];
  }
}

function saveHidden() {
  try {
    localStorage.setItem(HIDDEN_KEY, JSON.stringify([...hidden]));
  } catch {
    // No storage: the choice lasts until the page is left.
  }
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = h('script', { src });
    s.addEventListener('load', resolve);
    s.addEventListener('error', () => reject(new Error(t('agenda.libraryMissing'))));
    document.head.append(s);
  });
}

function loadLibrary() {
  libraryLoad ??= (async () => {
    if (!window.FullCalendar) await loadScript('/static/vendor/fullcalendar.js');
    if (lang !== 'en') await loadScript(`/static/vendor/fullcalendar-${lang}.js`);
  })();
  return libraryLoad;
}

const colourOf = (c) => (c && c.color && /^#[0-9a-fA-F]{6}/.test(c.color) ? c.color.slice(0, 7) : NO_COLOUR);

/** Black or white text, whichever reads better on `hex` (WCAG relative luminance). */
function textOn(hex) {
  const lin = (v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const [r, g, b] = [1, 3, 5].map((i) => lin(parseInt(hex.slice(i, i + 2), 16)));
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#111827' : '#ffffff';
}

const calendarByUri = (uri) => calendars.find((c) => c.uri === uri);
const nameOf = (c) => (c.access === 'owner' ? c.displayName : `${c.displayName} (${c.owner})`);
const writable = (c) => c.access !== 'read' && c.components.includes('VEVENT');

function toEvent(e) {
  const c = calendarByUri(e.calendar);
  const bg = colourOf(c);
  return {
    id: e.id,
    title: e.summary || t('agenda.untitled'),
    start: e.start,
    end: e.end,
    allDay: e.allDay,
    editable: e.editable,
    backgroundColor: bg,
    borderColor: bg,
    textColor: textOn(bg),
    extendedProps: e,
  };
}

/** Events drawn per day before a "+n more" entry takes the rest: the grid stays fast with thousands of instances. */
function capFor(viewType, days) {
  if (days <= 1) return Infinity; // one day (listDay, the "+n more" target): everything
  if (viewType.startsWith('dayGrid')) return 3;
  if (viewType.startsWith('timeGrid')) return 8;
  if (viewType === 'listDay') return Infinity;
  return 40;
}

/**
 * At most `cap` instances per day (by start, all-day first) and, for the rest, one "+n more"
 * all-day entry that opens that day as a list. FullCalendar measures every event it is given
 * even when it shows four; a month of a 9000-entry calendar can hold 5000 instances.
 */
function thin(list, viewType, spanDays) {
  const cap = capFor(viewType, spanDays);
  if (list.length <= cap) return list.map(toEvent);
  const days = new Map();
  for (const e of list) {
    const day = e.allDay ? e.start : localDate(new Date(e.start));
    let d = days.get(day);
    if (!d) days.set(day, (d = []));
    d.push(e);
  }
  const out = [];
  for (const [day, evs] of days) {
    if (evs.length <= cap) {
      for (const e of evs) out.push(toEvent(e));
      continue;
    }
    evs.sort((a, b) => (a.allDay === b.allDay ? (a.start < b.start ? -1 : a.start > b.start ? 1 : 0) : a.allDay ? -1 : 1));
    for (const e of evs.slice(0, cap - 1)) out.push(toEvent(e));
    out.push({ id: `more-${day}`, title: t('agenda.more', { count: evs.length - cap + 1 }), start: day, allDay: true, editable: false, classNames: ['more-entry'], extendedProps: { more: day } });
  }
  return out;
}

/** Epoch ms of an instance's start or end as the browser reads it (all-day dates at local midnight). */
const msOf = (v, allDay) => (allDay ? new Date(`${v}T00:00:00`).getTime() : Date.parse(v));

async function fetchEvents(info, success, failure) {
  const start = info.start.toISOString();
  const end = info.end.toISOString();
  try {
    // A range inside the one last fetched (a week or a day of the month shown) is cut from it.
    // Only the calendars shown are asked for: a hidden large calendar costs the server nothing.
    const eventCalendars = calendars.filter((c) => c.components.includes('VEVENT'));
    const shownUris = eventCalendars.filter((c) => !hidden.has(c.uri)).map((c) => c.uri);
    const only = shownUris.length === eventCalendars.length ? '' : shownUris.length === 0 ? '&calendars=' : shownUris.map((u) => `&calendar=${encodeURIComponent(u)}`).join('');
    if (!cache || cache.only !== only || Date.parse(cache.start) > info.start.getTime() || Date.parse(cache.end) < info.end.getTime()) {
      const answer = await api('GET', `/agenda?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}${only}`);
      cache = { start, end, only, events: answer.events };
      if (answer.skipped) say(t('agenda.skipped', { count: answer.skipped }), true);
    }
    const from = info.start.getTime();
    const to = info.end.getTime();
    const inRange = cache.events.filter((e) => !hidden.has(e.calendar) && msOf(e.start, e.allDay) < to && (msOf(e.end, e.allDay) > from || msOf(e.start, e.allDay) >= from));
    success(thin(inRange, calendar ? calendar.view.type : initialView, Math.round((to - from) / DAY)));
  } catch (err) {
    failure(err);
    say(err.message, true);
  }
}

function refetch() {
  cache = null;
  calendar?.refetchEvents();
}

function toggles() {
  const list = h('ul', { class: 'cal-toggles' }, calendars.filter((c) => c.components.includes('VEVENT')).map((c) => {
    const box = h('input', { type: 'checkbox', checked: !hidden.has(c.uri), 'data-calendar': c.uri });
    box.addEventListener('change', () => {
      if (box.checked) hidden.delete(c.uri);
      else hidden.add(c.uri);
      saveHidden();
      calendar?.refetchEvents();
    });
    return h('li', {}, h('label', { class: 'check' }, box, h('span', { class: 'swatch', style: `background:${colourOf(c)}` }), h('span', {}, nameOf(c)),
      c.sync ? null : h('span', { class: 'badge' }, t('agenda.notSynced'))));
  }));
  return h('details', { class: 'cal-panel', open: window.innerWidth > 700 },
    h('summary', {}, t('agenda.shown')),
    h('p', { class: 'hint' }, t('agenda.shownHint')), list);
}

const pad = (n) => String(n).padStart(2, '0');
const localDate = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const localTime = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
const DAY = 86_400_000;

/** The API's fields for a range the page holds as Date objects (all-day: dates, exclusive end). */
function rangeFields(start, end, allDay) {
  if (allDay) {
    const e = end && end > start ? end : new Date(start.getTime() + DAY);
    return { allDay: true, start: localDate(start), end: localDate(e) };
  }
  const e = end && end > start ? end : new Date(start.getTime() + 3_600_000);
  return { allDay: false, start: start.toISOString(), end: e.toISOString() };
}

function whenText(ev) {
  const start = ev.start;
  const end = ev.end ?? ev.start;
  if (ev.allDay) {
    const last = new Date(end.getTime() - DAY);
    const f = new Intl.DateTimeFormat(lang, { dateStyle: 'full' });
    return last > start ? f.formatRange(start, last) : f.format(start);
  }
  const f = new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' });
  return end > start ? f.formatRange(start, end) : f.format(start);
}

/** The editor of a new or existing simple event; resolves with the API fields or null. */
function editor(title, init) {
  const own = calendars.filter(writable);
  const field = (label, input) => h('label', { class: 'field' }, h('span', {}, label), input);
  const summary = h('input', { name: 'summary', value: init.summary ?? '', required: true, maxlength: 1000 });
  const cal = h('select', { name: 'calendar', disabled: init.calendar !== undefined && init.fixedCalendar }, own.map((c) => h('option', { value: c.uri, selected: c.uri === init.calendar }, nameOf(c))));
  const allDay = h('input', { type: 'checkbox', name: 'allDay', checked: init.allDay });
  const startDate = h('input', { type: 'date', name: 'startDate', value: localDate(init.start), required: true });
  const startTime = h('input', { type: 'time', name: 'startTime', value: localTime(init.start), required: true });
  const endDate = h('input', { type: 'date', name: 'endDate', value: localDate(init.allDay ? new Date(init.end.getTime() - DAY) : init.end), required: true });
  const endTime = h('input', { type: 'time', name: 'endTime', value: localTime(init.end), required: true });
  const location = h('input', { name: 'location', value: init.location ?? '', maxlength: 1000 });
  const description = h('textarea', { name: 'description', rows: 3, maxlength: 10000 }, init.description ?? '');
  const error = h('p', { class: 'error', role: 'alert' });
  const times = () => {
    startTime.hidden = endTime.hidden = allDay.checked;
    startTime.disabled = endTime.disabled = allDay.checked;
  };
  allDay.addEventListener('change', times);
  times();
  const body = h('div', { class: 'stack' },
    field(t('event.title'), summary),
    own.length > 1 && !init.fixedCalendar ? field(t('event.calendar'), cal) : null,
    h('label', { class: 'check' }, allDay, h('span', {}, t('event.allDay'))),
    h('fieldset', { class: 'when' }, h('legend', {}, t('event.starts')), h('div', { class: 'pair' }, h('label', { class: 'field' }, h('span', { class: 'visually-hidden' }, t('event.startDate')), startDate), h('label', { class: 'field' }, h('span', { class: 'visually-hidden' }, t('event.startTime')), startTime))),
    h('fieldset', { class: 'when' }, h('legend', {}, t('event.ends')), h('div', { class: 'pair' }, h('label', { class: 'field' }, h('span', { class: 'visually-hidden' }, t('event.endDate')), endDate), h('label', { class: 'field' }, h('span', { class: 'visually-hidden' }, t('event.endTime')), endTime))),
    field(t('event.location'), location),
    field(t('event.description'), description),
    error);
  return formDialog(title, body, t('dialog.save'), () => {
    let fields;
    if (allDay.checked) {
      const s = new Date(`${startDate.value}T00:00:00`);
      const e = new Date(new Date(`${endDate.value}T00:00:00`).getTime() + DAY);
      fields = rangeFields(s, e, true);
    } else {
      fields = rangeFields(new Date(`${startDate.value}T${startTime.value}`), new Date(`${endDate.value}T${endTime.value}`), false);
    }
    if (fields.end < fields.start || new Date(`${endDate.value}T${allDay.checked ? '00:00' : endTime.value}`) < new Date(`${startDate.value}T${allDay.checked ? '00:00' : startTime.value}`)) {
      error.textContent = t('event.endBeforeStart');
      return undefined;
    }
    return { calendar: init.fixedCalendar ? init.calendar : cal.value, summary: summary.value.trim(), location: location.value, description: description.value, ...fields };
  });
}

async function createAt(start, end, allDay) {
  const own = calendars.filter(writable);
  if (own.length === 0) return say(t('agenda.noWritable'), true);
  const preferred = own.find((c) => !hidden.has(c.uri)) ?? own[0];
  const answer = await editor(t('event.newTitle'), { start, end: end ?? new Date(start.getTime() + (allDay ? DAY : 3_600_000)), allDay, calendar: preferred.uri });
  calendar?.unselect();
  if (!answer) return;
  const { calendar: uri, ...fields } = answer;
  try {
    await api('POST', `/calendars/${encodeURIComponent(uri)}/events`, fields);
    say(t('event.created', { title: fields.summary }));
    refetch();
  } catch (err) {
    say(err.message, true);
  }
}

async function edit(ev) {
  const e = ev.extendedProps;
  const answer = await editor(t('event.editTitle'), { ...e, start: ev.start, end: ev.end ?? ev.start, allDay: ev.allDay, fixedCalendar: true });
  if (!answer) return;
  const { calendar: _uri, ...fields } = answer;
  try {
    await api('PATCH', `/calendars/${encodeURIComponent(e.calendar)}/events/${encodeURIComponent(e.name)}`, { ...fields, etag: e.etag });
    say(t('event.saved', { title: fields.summary }));
  } catch (err) {
    say(err.message, true);
  }
  refetch();
}

async function remove(ev) {
  const e = ev.extendedProps;
  const question = e.recurring ? t('event.deleteSeriesQuestion', { title: ev.title }) : t('event.deleteQuestion', { title: ev.title });
  if (!await confirmDialog(t('event.deleteTitle'), question, t('event.delete'))) return;
  try {
    await api('DELETE', `/calendars/${encodeURIComponent(e.calendar)}/events/${encodeURIComponent(e.name)}?etag=${encodeURIComponent(e.etag)}`);
    say(t('event.deleted', { title: ev.title }));
  } catch (err) {
    say(err.message, true);
  }
  refetch();
}

async function details(ev) {
  if (document.querySelector('dialog[open]')) return;
  const e = ev.extendedProps;
  const c = calendarByUri(e.calendar);
  let next = null;
  const buttons = h('div', { class: 'dialog-extra' },
    e.editable ? h('button', { type: 'button', class: 'secondary', onclick: (x) => { next = 'edit'; x.target.closest('dialog').querySelector('button[value=cancel]').click(); } }, t('event.edit')) : null,
    e.deletable ? h('button', { type: 'button', class: 'danger-outline', onclick: (x) => { next = 'delete'; x.target.closest('dialog').querySelector('button[value=cancel]').click(); } }, t('event.delete')) : null);
  await infoDialog(ev.title, h('div', { class: 'event-details' },
    h('p', { class: 'when' }, whenText(ev)),
    c ? h('p', {}, h('span', { class: 'swatch', style: `background:${colourOf(c)}` }), nameOf(c)) : null,
    e.location ? h('p', {}, h('strong', {}, `${t('event.location')}: `), e.location) : null,
    e.description ? h('p', { class: 'note' }, e.description) : null,
    e.recurring ? h('p', { class: 'hint' }, e.override ? t('event.overrideNote') : t('event.seriesNote')) : null,
    c && !writable(c) ? h('p', { class: 'hint' }, t('event.readOnly')) : null,
    buttons));
  if (next === 'edit') await edit(ev);
  if (next === 'delete') await remove(ev);
}

async function moved(info) {
  const e = info.event.extendedProps;
  try {
    await api('PATCH', `/calendars/${encodeURIComponent(e.calendar)}/events/${encodeURIComponent(e.name)}`, { etag: e.etag, ...rangeFields(info.event.start, info.event.end, info.event.allDay) });
    say(t('event.moved', { title: info.event.title }));
  } catch (err) {
    info.revert();
    say(err.message, true);
  }
  refetch();
}

function narrow() {
  return window.matchMedia('(max-width: 640px)').matches;
}

/** Renders (first time) or refreshes the agenda into `section`. */
export async function showAgenda(section) {
  const [list] = await Promise.all([api('GET', '/calendars'), loadLibrary()]);
  calendars = [...list.mine, ...list.others];
  if (!calendar) {
    const el = h('div', { id: 'agenda-calendar' });
    const add = h('button', { type: 'button', class: 'primary', id: 'agenda-new', onclick: () => {
      const now = new Date();
      now.setMinutes(0, 0, 0);
      createAt(new Date(now.getTime() + 3_600_000), null, false);
    } }, t('agenda.new'));
    const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    section.replaceChildren(h('div', { class: 'agenda-head' }, h('div', {}, h('h1', { id: 'agenda-title' }, t('agenda.title')), h('p', { class: 'hint', id: 'agenda-zone' }, t('agenda.zone', { zone }))), add), h('div', { class: 'agenda-layout' }, toggles(), el));
    const params = new URLSearchParams(location.search);
    const FC = window.FullCalendar;
    initialView = params.get('view') || (narrow() ? 'listWeek' : 'dayGridMonth');
    calendar = new FC.Calendar(el, {
      locale: lang,
      timeZone: 'local',
      initialView,
      initialDate: params.get('date') || undefined,
      headerToolbar: narrow()
        ? { left: 'prev,next', center: 'title', right: 'today' }
        : { left: 'prev,next today', center: 'title', right: 'dayGridMonth,timeGridWeek,listMonth' },
      footerToolbar: narrow() ? { center: 'dayGridMonth,timeGridWeek,listWeek' } : undefined,
      buttonText: { today: t('agenda.today'), month: t('agenda.month'), week: t('agenda.week'), list: t('agenda.list') },
      height: 'auto',
      dayMaxEvents: 4,
      moreLinkClick: 'popover',
      nowIndicator: true,
      navLinks: false,
      selectable: true,
      selectMirror: true,
      eventStartEditable: true,
      eventDurationEditable: true,
      editable: false,
      eventDisplay: 'block',
      events: fetchEvents,
      // Every view change asks fetchEvents again: the per-day cap depends on the view.
      lazyFetching: false,
      select: (info) => createAt(info.start, info.end, info.allDay),
      eventClick: (info) => {
        info.jsEvent.preventDefault();
        if (info.event.extendedProps.more) calendar.changeView('listDay', info.event.extendedProps.more);
        else details(info.event);
      },
      eventDrop: moved,
      eventResize: moved,
      // FullCalendar's chevrons are role="img" without a name inside buttons that have one: hidden from assistive technology.
      datesSet: () => { for (const i of el.querySelectorAll('.fc-icon[role="img"]')) i.setAttribute('aria-hidden', 'true'); },
      // A day cell is named by its content (the number and its events), not by the number alone,
      // which would hide the events' titles from its name (WCAG 2.5.3 label in name); the number
      // itself says its full date, starting with the digits shown ("29 June 2026").
      dayCellDidMount: (info) => {
        info.el.removeAttribute('aria-labelledby');
        const a = info.el.querySelector('.fc-daygrid-day-number');
        if (a) a.setAttribute('aria-label', `${a.textContent} ${new Intl.DateTimeFormat(lang, { month: 'long', year: 'numeric' }).format(info.date)}`);
      },
      // FullCalendar makes events focusable and opens them with Enter (eventClick); a button role says so.
      eventDidMount: (info) => { if (!info.el.getAttribute('role')) info.el.setAttribute('role', 'button'); },
    });
    window.sundialAgenda = calendar; // for the browser tests and the timing script
    calendar.render();
  } else {
    section.querySelector('.cal-panel')?.replaceWith(toggles());
    refetch();
  }
  section.hidden = false;
}

export function hideAgenda() {
  // The view stays built while the user looks at the settings; logging out drops it.
  if (!document.querySelector('#app-view') || document.querySelector('#app-view').hidden) {
    calendar?.destroy();
    calendar = null;
    cache = null;
    window.sundialAgenda = undefined;
    const s = document.querySelector('#agenda-view');
    if (s) s.replaceChildren();
  }
}
