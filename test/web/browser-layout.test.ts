// Every section of the web app at desktop and phone widths, light and dark (issue 17 items 2–5):
// headless Chromium at 1280 and 390 px takes a screenshot of each section (login, calendars,
// sharing, links, connection, password, users, agenda month/week/list, a dialog) into
// test-output/screenshots/layout-*.png, runs axe-core on each state (no serious or critical
// violations), checks that nothing scrolls sideways at 360 and 390 px
// (document.documentElement.scrollWidth <= innerWidth), that tap targets are at least 44 px, that
// focus is visible, and that the language follows Accept-Language and the in-page switch.
import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { CHROMIUM, MISSING, launchChromium, logIn, shot, watchedPage } from '../helpers/chromium.js';
import { guardedBefore } from './setup.js';
import { login } from './session.js';
import { seed } from './agenda-fixture.js';
import { axeProblems, describeAxe } from './axe.js';

interface Ctx {
  srv: TestServer;
  browser: Browser;
  problems: string[];
  setupError?: unknown;
}

const t = suite<Ctx>('every section at 1280 and 390 px in Chromium');

t('Chromium is installed at /usr/bin/chromium', () => {
  if (!fs.existsSync(CHROMIUM)) assert.unreachable(MISSING);
});

guardedBefore(t, async (ctx) => {
  ctx.problems = [];
  ctx.srv = await startTestServer();
  await ctx.srv.addUser('root', PASSWORD, true);
  await ctx.srv.addUser('bob');
  await seed(ctx.srv, 'root');
  // Something in every section: a share each way, a subscription link, a long calendar name.
  const root = await login(ctx.srv, 'root');
  const bob = await login(ctx.srv, 'bob');
  await root.ok('PUT', '/calendars/personal/shares/bob', { access: 'read-write' });
  await bob.ok('PUT', '/calendars/personal/shares/root', { access: 'read' });
  await root.ok('POST', '/calendars', { displayName: 'A calendar with a rather long name for the family and friends', color: '#e11d48' });
  await root.ok('POST', '/feeds', { calendar: 'personal', details: 'busy', alarms: false, label: 'Office (busy only) for the people at work' });
  ctx.browser = await launchChromium();
});

t.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.srv?.close();
});

const fits = (page: Page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scroll, inner } = await fits(page);
  assert.ok(scroll <= inner, `${what}: scrollWidth ${scroll} > innerWidth ${inner}`);
}

async function axeClean(page: Page, what: string): Promise<void> {
  const problems = await axeProblems(page);
  assert.is(problems.length, 0, `${what}:\n${describeAxe(problems)}`);
}

/** Visible controls smaller than 44 × 44 px (inline text links excepted, as WCAG 2.5.5 does). */
async function smallTargets(page: Page, scope: string): Promise<string[]> {
  return page.evaluate((scope) => {
    const out: string[] = [];
    const sel = `${scope} button, ${scope} select, ${scope} input:not([type=checkbox]):not([type=radio]):not([type=hidden]), ${scope} [role=switch], ${scope} nav a, ${scope} label.check`;
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest('[hidden]')) continue;
      if (el.closest('.fc-view-harness')) continue; // the grid's own day numbers and "+n more" links: inline text
      if (r.width < 43.5 || r.height < 43.5) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} "${(el.textContent ?? '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  }, scope);
}

async function sectionShot(page: Page, selector: string, name: string): Promise<void> {
  const el = page.locator(selector).first();
  await el.scrollIntoViewIfNeeded();
  await el.screenshot({ path: `test-output/screenshots/${name}.png` });
}

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 390]) {
    t(`${scheme}, ${width} px: every section fits, has 44 px targets and no serious axe violations`, async (ctx) => {
      const context: BrowserContext = await ctx.browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme, timezoneId: 'Europe/Berlin' });
      try {
        const page = await watchedPage(context, ctx.problems);
        const tag = `layout-${scheme}-${width}`;
        await page.goto(ctx.srv.url + '/');
        await page.locator('#login-form').waitFor();
        await noSidewaysScroll(page, 'login');
        await axeClean(page, 'login');
        await shot(page, `${tag}-01-login`);
        await logIn(page, ctx.srv.url, 'root');
        await page.locator('#mine tbody tr').nth(1).waitFor();
        await page.locator('#others tbody tr').first().waitFor();
        await page.locator('#feeds tbody tr').first().waitFor();
        await page.locator('#users tbody tr').first().waitFor();
        await noSidewaysScroll(page, 'settings');
        await axeClean(page, 'settings');
        if (width === 390) assert.equal(await smallTargets(page, '#settings-view'), [], 'settings targets');
        if (scheme === 'dark') {
          const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
          assert.is(bg, 'rgb(15, 17, 21)', 'dark mode follows prefers-color-scheme');
        }
        await shot(page, `${tag}-02-settings`);
        for (const [sel, name] of [['#calendars', 'calendars'], ['#others', 'shared'], ['#feeds-view', 'links'], ['#connection', 'connection'], ['#password-form', 'password'], ['#admin-view', 'users']]) {
          await sectionShot(page, sel!, `${tag}-section-${name}`);
        }
        // A dialog (rename), with the keyboard: focus inside, Escape closes and returns focus.
        const rename = page.getByRole('button', { name: 'Rename Personal', exact: true });
        await rename.focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: 'Rename "Personal"' });
        await dialog.waitFor();
        await noSidewaysScroll(page, 'dialog');
        await axeClean(page, 'rename dialog');
        await shot(page, `${tag}-03-dialog`);
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        assert.ok(await rename.evaluate((el) => el === document.activeElement), 'focus back on the button');
        // Focus is visible: a focused control draws an outline.
        await page.keyboard.press('Tab');
        const outline = await page.evaluate(() => { const s = getComputedStyle(document.activeElement!); return `${s.outlineStyle} ${s.outlineWidth}`; });
        assert.match(outline, /^solid [1-9]/, `focus ring: ${outline}`);

        for (const view of ['dayGridMonth', 'timeGridWeek', 'listMonth']) {
          await page.goto(`${ctx.srv.url}/?date=2026-07-13&view=${view}#agenda`);
          await page.locator('#agenda-calendar .fc-event').first().waitFor();
          await noSidewaysScroll(page, `agenda ${view}`);
          await axeClean(page, `agenda ${view}`);
          if (width === 390) assert.equal(await smallTargets(page, '#agenda-view'), [], `agenda ${view} targets`);
          await shot(page, `${tag}-04-agenda-${view}`);
        }
        await page.getByRole('button', { name: 'New event' }).click();
        await page.getByRole('dialog', { name: 'New event' }).waitFor();
        await noSidewaysScroll(page, 'event editor');
        await axeClean(page, 'event editor');
        await shot(page, `${tag}-05-event-editor`);
      } finally {
        await context.close();
      }
    });
  }
}

t('no sideways scrolling at 360 px either, on the settings and the agenda', async (ctx) => {
  const context = await ctx.browser.newContext({ viewport: { width: 360, height: 740 } });
  try {
    const page = await watchedPage(context, ctx.problems);
    await page.goto(ctx.srv.url + '/');
    await page.locator('#login-form').waitFor();
    await noSidewaysScroll(page, 'login at 360');
    await logIn(page, ctx.srv.url, 'root');
    await page.locator('#feeds tbody tr').first().waitFor();
    await noSidewaysScroll(page, 'settings at 360');
    await shot(page, 'layout-360-settings');
    for (const view of ['dayGridMonth', 'timeGridWeek', 'listWeek']) {
      await page.goto(`${ctx.srv.url}/?date=2026-07-13&view=${view}#agenda`);
      await page.locator('#agenda-calendar .fc-event').first().waitFor();
      await noSidewaysScroll(page, `agenda ${view} at 360`);
    }
    await shot(page, 'layout-360-agenda');
  } finally {
    await context.close();
  }
});

t('language: Accept-Language picks German or French; the switch changes it and is remembered; Intl formats numbers', async (ctx) => {
  const de = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE', extraHTTPHeaders: { 'Accept-Language': 'de-DE,de;q=0.9,en;q=0.5' } });
  try {
    const page = await watchedPage(de, ctx.problems);
    await page.goto(ctx.srv.url + '/');
    await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
    assert.is(await page.evaluate(() => document.documentElement.lang), 'de');
    const form = page.getByRole('region', { name: 'Anmelden' });
    // The server's error sentence, said in German.
    await form.getByLabel('Benutzername').fill('root');
    await form.getByLabel('Passwort', { exact: true }).fill('not the password');
    await form.getByRole('button', { name: 'Anmelden' }).click();
    await page.locator('#status', { hasText: 'Falscher Benutzername oder falsches Passwort' }).waitFor();
    await form.getByLabel('Benutzername').fill('root');
    await form.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
    await form.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { name: 'Meine Kalender' }).waitFor();
    assert.is(await page.getByRole('switch', { name: 'Synchronisierung von Personal', exact: true }).count(), 1);
    await shot(page, 'layout-lang-de');
    // The switch: French, kept across a reload.
    await page.getByRole('combobox', { name: 'Sprache' }).selectOption('fr');
    await page.getByRole('heading', { name: 'Mes calendriers' }).waitFor();
    assert.is(await page.evaluate(() => document.documentElement.lang), 'fr');
    await page.reload();
    await page.getByRole('heading', { name: 'Mes calendriers' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Se déconnecter' }).isVisible());
    // The agenda in French (FullCalendar's locale too).
    await page.goto(`${ctx.srv.url}/?date=2026-07-13&view=dayGridMonth#agenda`);
    await page.locator('#agenda-calendar .fc-event').first().waitFor();
    assert.match(await page.locator('.fc-toolbar-title').innerText(), /juillet 2026/);
    await shot(page, 'layout-lang-fr-agenda');
    await page.getByRole('combobox', { name: 'Langue' }).selectOption('en');
    await page.getByRole('heading', { name: 'Agenda' }).waitFor();
  } finally {
    await de.close();
  }
  const fr = await ctx.browser.newContext({ extraHTTPHeaders: { 'Accept-Language': 'fr-CA,fr;q=0.8' } });
  try {
    const page = await watchedPage(fr, ctx.problems);
    await page.goto(ctx.srv.url + '/');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  } finally {
    await fr.close();
  }
  // Numbers: a 12,345-entry count is written the way each language writes it.
  const res = await ctx.srv.request('GET', '/', { headers: { 'Accept-Language': 'de' } });
  assert.match(res.text, /<html lang="de">/);
  assert.is(res.headers.get('vary')?.toLowerCase().includes('accept-language'), true);
});

t('page bugs of issue 12 item 12: busy-only alarms, colour default, HTTPS note wrapping, copy label, label hint, plural', async (ctx) => {
  const context = await ctx.browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await watchedPage(context, ctx.problems);
    await logIn(page, ctx.srv.url, 'bob');
    await page.locator('#feed-form').waitFor();
    // Busy-only links never keep alarms: the form says so instead of offering "Kept".
    const alarms = page.locator('#feed-form select[name="alarms"]');
    assert.not.ok(await alarms.isDisabled());
    await page.locator('#feed-form select[name="details"]').selectOption('busy');
    assert.ok(await alarms.isDisabled());
    assert.is(await alarms.inputValue(), 'removed');
    // The label is published as the calendar's name: the form says it.
    assert.match(await page.locator('#feed-label-hint').innerText(), /Subscribers see the label as the calendar's name, on busy-only links too/);
    // A calendar without a colour: the picker shows the swatch's neutral grey, not a blue it does not have.
    assert.is(await page.getByLabel('Colour of Personal', { exact: true }).inputValue(), '#9ca3af');
    // The HTTPS note wraps between words (the URLs beside it shorten instead).
    const note = page.locator('#connection dd.note');
    assert.is(await note.evaluate((el) => getComputedStyle(el).wordBreak), 'normal');
    const lines = await note.evaluate((el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)));
    assert.ok(lines <= 4, `the note takes ${lines} lines at 390 px`);
    // Copy buttons name the scheme the URL really has (http here).
    assert.ok((await page.getByRole('button', { name: /^Copy http link: / }).count()) >= 3);
    assert.is(await page.getByRole('button', { name: /https/ }).count(), 0);
    // "1 entry", not "1 entries".
    await page.evaluate(async () => {
      const csrf = (await (await fetch('/api/me')).json()).csrfToken;
      await fetch('/api/calendars/personal/events', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ summary: 'one', start: '2026-07-01T10:00:00Z', end: '2026-07-01T11:00:00Z' }) });
    });
    await page.reload();
    await page.getByRole('button', { name: 'Delete: Personal', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete calendar' });
    assert.is(await dialog.locator('.dialog-body').innerText(), 'Delete "Personal" and its 1 entry for everyone?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  } finally {
    await context.close();
  }
});

t('no script errors on the way', ({ problems }) => {
  assert.equal(problems.filter((p) => !/status of 401/.test(p)), []);
});

t.run();
