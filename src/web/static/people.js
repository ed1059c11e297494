// "Name and e-mail" (everyone) and "Groups" (administrators) on the settings page (issue 15,
// docs/api.md "People" and "Groups"): plain DOM code beside app.js and feeds.js, shared helpers in
// dom.js. Renders into #people-view and #groups-view whenever #app-view is shown and empties them
// when it is hidden (logout). User-provided text only ever goes through textContent.

import { api, h, say, setCsrf } from './dom.js';
import { t } from './i18n.js';
import { confirmDialog } from './dialogs.js';

const profileSection = document.querySelector('#people-view');
const groupsSection = document.querySelector('#groups-view');
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

/** One address per line; blank lines ignored. */
const linesOf = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

function profileForm(p) {
  const name = h('input', { name: 'displayName', required: true, maxlength: 200, value: p.displayName, autocomplete: 'name' });
  const addresses = h('textarea', { name: 'addresses', rows: 3, autocomplete: 'email', spellcheck: 'false', 'aria-describedby': 'people-addresses-hint' });
  addresses.value = p.addresses.join('\n');
  const form = h('form', { id: 'profile-form', class: 'inline' },
    h('label', { class: 'field' }, h('span', {}, t('people.name')), name),
    h('label', { class: 'field' }, h('span', {}, t('people.addresses')), addresses),
    h('p', { class: 'hint full-width', id: 'people-addresses-hint' }, t('people.addressesHint')),
    h('button', { type: 'submit', class: 'primary' }, t('people.save')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(async () => {
      const saved = await api('PATCH', '/profile', { displayName: name.value, addresses: linesOf(addresses.value) });
      name.value = saved.displayName;
      addresses.value = saved.addresses.join('\n');
      const who = document.querySelector('#who-name');
      if (who) who.textContent = saved.displayName;
    }, t('people.saved'));
  });
  return form;
}

// --- groups (administrators) -------------------------------------------------------------------

function groupRow(g, users) {
  const name = g.displayName || g.name;
  const members = h('select', { multiple: true, size: Math.min(6, Math.max(2, users.length)), 'aria-label': t('groups.membersOf', { name }) },
    users.map((u) => h('option', { value: u.username, selected: g.members.includes(u.username) }, u.displayName && u.displayName !== u.username ? `${u.displayName} (${u.username})` : u.username)));
  return h('tr', { 'data-group': g.name },
    h('td', { 'data-label': t('groups.col.group') }, h('strong', {}, name), h('div', { class: 'hint' }, g.principal)),
    h('td', { 'data-label': t('groups.col.members') }, members),
    h('td', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('groups.saveMembersOf', { name }), onclick: () => attempt(async () => {
        await api('PUT', `/groups/${encodeURIComponent(g.name)}/members`, { members: [...members.selectedOptions].map((o) => o.value) });
        await loadGroups();
      }, t('groups.membersSaved')) }, t('groups.saveMembers')), ' ',
      h('button', { type: 'button', class: 'danger-outline', 'aria-label': t('groups.deleteOf', { name }), onclick: async () => {
        if (await confirmDialog(t('groups.deleteTitle'), t('groups.deleteQuestion', { name }), t('groups.delete'))) attempt(async () => { await api('DELETE', `/groups/${encodeURIComponent(g.name)}`); await loadGroups(); }, t('groups.deleted'));
      } }, t('groups.delete'))));
}

async function loadGroups() {
  const [{ groups }, { users }] = await Promise.all([api('GET', '/groups'), api('GET', '/users')]);
  const tbody = groupsSection.querySelector('#groups tbody');
  tbody.replaceChildren(...groups.map((g) => groupRow(g, users)));
  groupsSection.querySelector('#groups').hidden = groups.length === 0;
  groupsSection.querySelector('#groups-empty').hidden = groups.length > 0;
}

function groupForm() {
  const form = h('form', { id: 'group-form', class: 'inline' },
    h('label', { class: 'field' }, h('span', {}, t('groups.name')), h('input', { name: 'name', required: true, maxlength: 64, autocomplete: 'off', autocapitalize: 'none' })),
    h('label', { class: 'field' }, h('span', {}, t('groups.displayName')), h('input', { name: 'displayName', maxlength: 200, autocomplete: 'off' })),
    h('button', { type: 'submit', class: 'primary' }, t('groups.add')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    attempt(async () => {
      await api('POST', '/groups', { name: data.name, displayName: data.displayName || undefined });
      form.reset();
      await loadGroups();
    }, t('groups.added'));
  });
  return form;
}

async function load() {
  const me = await api('GET', '/me');
  setCsrf(me.csrfToken);
  const profile = await api('GET', '/profile');
  profileSection.replaceChildren(
    h('h2', { id: 'people-title' }, t('people.title')),
    h('p', { class: 'hint' }, t('people.intro')),
    profileForm(profile));
  profileSection.hidden = false;
  if (groupsSection && me.user.isAdmin) {
    groupsSection.replaceChildren(
      h('h2', { id: 'groups-title' }, t('groups.title')),
      h('p', { class: 'hint' }, t('groups.intro')),
      h('p', { class: 'hint', id: 'groups-empty' }, t('groups.none')),
      h('table', { id: 'groups', class: 'cards' },
        h('thead', {}, h('tr', {}, ['groups.col.group', 'groups.col.members'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('col.actions'))))),
        h('tbody')),
      groupForm());
    groupsSection.hidden = false;
    await loadGroups();
  }
}

function sync() {
  if (appView.hidden) {
    for (const s of [profileSection, groupsSection]) {
      if (!s) continue;
      s.replaceChildren();
      s.hidden = true;
    }
    return;
  }
  loading ??= load().catch((err) => { if (err.status !== 401) say(err.message, true); }).finally(() => { loading = null; });
}

if (profileSection && appView) {
  new MutationObserver(sync).observe(appView, { attributes: true, attributeFilter: ['hidden'] });
  sync();
}
