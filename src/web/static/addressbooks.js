// "My address books" and "Other address books" (issue 14 items 4 and 6; docs/web.md): the
// calendar tables' rows (collections.js) for the address-book home — Synchronization switch, card
// count, large-collection warning, rename, sharing, delete — plus creating an address book,
// importing a .vcf file and downloading one. Renders into #addressbooks-view whenever #app-view is
// shown (after login) and empties itself when it is hidden (logout), as feeds.js does. Everything
// goes through /api/addressbooks (docs/api.md); user text only through textContent.

import { api, h, say, setCsrf } from './dom.js';
import { t } from './i18n.js';
import { collectionName, collectionRows } from './collections.js';

const view = document.querySelector('#addressbooks-view');
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

const exportHref = (c) => `/api/addressbooks/${encodeURIComponent(c.uri)}/export`;

/** The address books' kind for collections.js: no colours, a download link on every row. */
export const ADDRESSBOOKS = {
  api: '/addressbooks',
  attr: 'data-addressbook',
  prefix: 'addressbooks',
  keys: { count: 'cards' },
  colour: false,
  tools: (c) => [h('a', { class: 'button-link secondary', href: exportHref(c), download: '', 'aria-label': t('addressbooks.downloadOf', { name: collectionName(c) }) }, t('addressbooks.download'))],
};

const writable = (c) => c.access !== 'read';

function table(id, ownerColumn) {
  const cols = ['addressbooks.col.name', 'addressbooks.col.entries', ownerColumn ? 'addressbooks.col.ownerAccess' : 'addressbooks.col.shared', 'addressbooks.col.sync'];
  return h('table', { class: 'calendars cards', id },
    h('thead', {}, h('tr', {}, cols.map((key) => h('th', { scope: 'col' }, t(key))), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('col.actions'))))),
    h('tbody'));
}

function createForm() {
  const form = h('form', { class: 'inline', id: 'ab-create-form' },
    h('label', { class: 'field' }, h('span', {}, t('addressbooks.new')), h('input', { name: 'displayName', required: true, maxlength: 200 })),
    h('button', { type: 'submit', class: 'primary' }, t('addressbooks.create')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const displayName = new FormData(form).get('displayName');
    attempt(async () => { await api('POST', '/addressbooks', { displayName }); form.reset(); await loadAddressBooks(); }, t('addressbooks.created'));
  });
  return form;
}

/** Largest upload the API takes (src/web/addressbooks-api.ts VCF_IMPORT_LIMIT). */
const IMPORT_LIMIT = 32 * 1024 * 1024;

function importForm() {
  const file = h('input', { type: 'file', name: 'file', accept: '.vcf,.vcard,text/vcard,text/x-vcard', required: true });
  const select = h('select', { name: 'addressbook', required: true });
  const result = h('div', { id: 'ab-import-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'inline', id: 'ab-import-form' },
    h('label', { class: 'field' }, h('span', {}, t('addressbooks.importInto')), select),
    h('label', { class: 'field' }, h('span', {}, t('addressbooks.importFile')), file),
    h('button', { type: 'submit', class: 'primary' }, t('addressbooks.importSubmit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = file.files[0];
    const uri = select.value;
    if (!f || !uri) return;
    if (f.size > IMPORT_LIMIT) return say(t('addressbooks.importTooLarge'), true);
    const button = form.querySelector('button');
    button.disabled = true;
    say(t('import.running', { file: f.name }));
    attempt(async () => {
      try {
        const s = await api('POST', `/addressbooks/${encodeURIComponent(uri)}/import`, f, 'text/vcard');
        result.replaceChildren(...[
          h('p', {}, t('import.summary', { file: f.name, imported: s.imported, replaced: s.replaced, unchanged: s.unchanged, skipped: s.skippedCount })),
          s.skippedCount ? h('ul', { class: 'hint' }, s.skipped.map((k) => h('li', {}, `${k.item}: ${k.reason}`)), s.skippedCount > s.skipped.length ? h('li', {}, t('import.more', { count: s.skippedCount - s.skipped.length })) : null) : null,
          s.large ? h('p', { class: 'warning', role: 'note' }, t('addressbooks.importLarge', { entries: t('cards', { count: s.entries }) })) : null,
        ].filter(Boolean));
        form.reset();
        say(t('import.finished'));
        await loadAddressBooks();
      } finally {
        button.disabled = false;
      }
    });
  });
  return h('div', {}, form, result);
}

async function loadAddressBooks() {
  const { mine, others } = await api('GET', '/addressbooks');
  const rows = collectionRows(ADDRESSBOOKS, { mine, others }, { attempt, say, reload: loadAddressBooks });
  view.querySelector('#ab-mine tbody').replaceChildren(...rows.mine);
  view.querySelector('#ab-others tbody').replaceChildren(...rows.others);
  view.querySelector('#ab-others').hidden = others.length === 0;
  view.querySelector('#ab-others-empty').hidden = others.length > 0;
  // The import picker follows the tables (create, delete, unshare), keeping the choice made.
  const select = view.querySelector('#ab-import-form select');
  const keep = select.value;
  select.replaceChildren(...[...mine, ...others].filter(writable).map((c) => h('option', { value: c.uri }, collectionName(c))));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

async function load() {
  const me = await api('GET', '/me');
  setCsrf(me.csrfToken);
  view.replaceChildren(
    h('section', { id: 'addressbooks', class: 'card', 'aria-labelledby': 'ab-mine-title' },
      h('h2', { id: 'ab-mine-title' }, t('addressbooks.mine')),
      table('ab-mine', false),
      createForm(),
      h('h3', { id: 'ab-import-title' }, t('addressbooks.importTitle')),
      h('p', { class: 'hint' }, t('addressbooks.importIntro')),
      importForm()),
    h('section', { class: 'card', 'aria-labelledby': 'ab-others-title' },
      h('h2', { id: 'ab-others-title' }, t('addressbooks.others')),
      h('p', { class: 'hint', id: 'ab-others-empty' }, t('addressbooks.othersEmpty')),
      table('ab-others', true)),
  );
  view.hidden = false;
  await loadAddressBooks();
}

function sync() {
  if (appView.hidden) {
    view.replaceChildren();
    view.hidden = true;
    return;
  }
  loading ??= load().catch((err) => { if (err.status !== 401) say(err.message, true); }).finally(() => { loading = null; });
}

if (view && appView) {
  new MutationObserver(sync).observe(appView, { attributes: true, attributeFilter: ['hidden'] });
  sync();
}
