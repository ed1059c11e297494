// axe-core (npm devDependency) in the browser tests: injected from node_modules into the page and
// run on the whole document; the tests assert no "serious" or "critical" violations (issue 17 item 4).
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../helpers/cli.js';

const AXE = path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Serious and critical axe violations on the page as it is now (WCAG 2.0/2.1/2.2 A and AA rules and best practices). */
export async function axeProblems(page: Page): Promise<AxeProblem[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

export const describeAxe = (list: AxeProblem[]) => list.map((p) => `${p.impact} ${p.id} (${p.help}): ${p.targets.join(', ')}`).join('\n');
