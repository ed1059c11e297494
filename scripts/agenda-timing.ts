// Browser timing of the web agenda with a large calendar (issue 17 item 1: "one month renders in
// under 200 ms in headless Chromium"). Not a test: it prints figures. Seeds one calendar with the
// benchmark's N events (scripts/bench/generate.ts: 80 % single events with TZIDs, 15 % series,
// 5 % series with an override and an alarm, spread over two years), logs in with headless
// Chromium and measures, for a month in the middle of the span:
//   first   opening the agenda: library, GET /api/agenda uncached (server expansion), render
//   api     GET /api/agenda for the six weeks of the month grid again (cached while unchanged), in the page
//   render  the app drawing the month from those instances (its per-day cap with "+n more",
//           FullCalendar's processing, render, layout, next frame), the answer already in hand
//   next    the app itself: "next month" pressed until its events are drawn (fetch + render)
// Usage: npm run build && node dist/scripts/agenda-timing.js [N=9000] [runs=7]
import { performance } from 'node:perf_hooks';
import { startTestServer } from '../test/helpers/server.js';
import { launchChromium, logIn } from '../test/helpers/chromium.js';
import { generateCalendar } from './bench/generate.js';
import { calendarObjectInput } from '../src/dav/calendar-objects.js';

const N = Number(process.argv[2] ?? 9000);
const RUNS = Number(process.argv[3] ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const srv = await startTestServer({ SUNDIAL_LOG_LEVEL: 'warn' });
try {
  await srv.addUser('alice');
  const alice = (await srv.store.getUser('alice'))!;
  const cal = (await srv.store.getInstance(alice.id, 'personal'))!.collection;
  const t0 = performance.now();
  for (const ev of generateCalendar({ n: N, seed: 'sundial-bench' })) {
    await srv.store.putObject(cal.id, calendarObjectInput(cal, ev.name, Buffer.from(ev.ics)));
  }
  console.log(`seeded ${N} events in ${Math.round(performance.now() - t0)} ms`);

  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await logIn(page, srv.url, 'alice');
    await page.goto(`${srv.url}/?date=2026-06-15&view=dayGridMonth#agenda`);
    const firstLoad = performance.now();
    await page.locator('#agenda-calendar .fc-event').first().waitFor({ timeout: 60_000 });
    console.log(`first    ${Math.round(performance.now() - firstLoad)} ms from the page's load event to the first events drawn (library, uncached API, render)`);
    const figures = await page.evaluate(async (runs) => {
      const cal = (window as any).sundialAgenda;
      const FC = (window as any).FullCalendar;
      const start = cal.view.activeStart.toISOString();
      const end = cal.view.activeEnd.toISOString();
      const api: number[] = [];
      let answer: any;
      for (let i = 0; i < runs; i++) {
        const a = performance.now();
        answer = await (await fetch(`/api/agenda?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`)).json();
        api.push(performance.now() - a);
      }
      // The app's own path with the answer in its cache: thinning to a few entries per day
      // ("+n more"), FullCalendar's event processing, render and layout, up to the next frame.
      const drawn = () => new Promise<void>((resolve) => {
        const done = () => { cal.off('eventsSet', done); requestAnimationFrame(() => { void document.body.offsetHeight; resolve(); }); };
        cal.on('eventsSet', done);
      });
      const render: number[] = [];
      for (let i = 0; i < runs; i++) {
        const a = performance.now();
        const p = drawn();
        cal.refetchEvents();
        await p;
        render.push(performance.now() - a);
      }
      const drawnEvents = document.querySelectorAll('#agenda-calendar .fc-event').length;
      const next: number[] = [];
      for (let i = 0; i < runs; i++) {
        const a = performance.now();
        await new Promise<void>((resolve) => {
          const done = () => { cal.off('eventsSet', done); requestAnimationFrame(() => resolve()); };
          cal.on('eventsSet', done);
          cal.next();
        });
        next.push(performance.now() - a);
      }
      return { instances: answer.events.length, drawnEvents, api, render, next };
    }, RUNS);
    const fmt = (xs: number[]) => `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`;
    console.log(`month grid 2026-06 (six weeks): ${figures.instances} instances, ${figures.drawnEvents} entries drawn`);
    console.log(`api     ${fmt(figures.api)}  (answered from the cache the first open filled)`);
    console.log(`render  ${fmt(figures.render)}`);
    console.log(`next    ${fmt(figures.next)}  (fetch + render of the following months)`);
  } finally {
    await browser.close();
  }
} finally {
  await srv.close();
}
