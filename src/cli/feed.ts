// sundial feed create|list|revoke|regenerate — private subscription links (SPEC "Subscription
// feeds"), as in the preferences page. `create` and `regenerate` print the secret URL on their
// last line (the only time it is shown); the base URL is SUNDIAL_BASE_URL (--base-url) or
// http://localhost:<port>.
import type { Config } from '../config.js';
import { createLink, listLinks, regenerateLink, revokeLink, type LinkView } from '../feeds/links.js';
import { feedUrls } from '../feeds/tokens.js';
import { UsageError, splitArgs, withStore, type CliIO } from './command.js';
import { asUsage, userNamed } from './lookup.js';

export const feedUsage = `Usage:
  sundial feed create <user> [--calendar C | --group G] [--details full|busy] [--alarms kept|removed] [--label TEXT]
                                      a new link (no --calendar: all calendars with synchronization on;
                                      --group: the calendars shared with a group the user is in)
  sundial feed list <user>            the user's links (tokens are never shown again)
  sundial feed revoke <user> <id>     stop a link at once
  sundial feed regenerate <user> <id> a new secret URL for a link; the old one stops working`;

/** Pulls the command's own "--name value" options out of the flags; the rest are server options. */
export function takeOptions(flags: string[], names: readonly string[], usage: string): { values: Record<string, string | undefined>; rest: string[] } {
  const values: Record<string, string | undefined> = {};
  const rest: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    const eq = f.indexOf('=');
    const name = eq >= 0 ? f.slice(0, eq) : f;
    if (!names.includes(name)) {
      rest.push(f);
      continue;
    }
    const value = eq >= 0 ? f.slice(eq + 1) : flags[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value\n\n${usage}`);
    values[name] = value;
  }
  return { values, rest };
}

export function cliBaseUrl(config: Config): string {
  return config.baseUrl ?? `http://localhost:${config.port}`;
}

function describe(l: LinkView): string {
  const scope = l.group !== null ? `group ${l.group}` : l.calendar === null ? (l.available ? 'all calendars' : 'calendar no longer available') : `calendar ${l.calendar}`;
  return [
    String(l.id), scope, l.details === 'busy' ? 'busy only' : 'full details', l.alarms && l.details === 'full' ? 'alarms kept' : 'alarms removed',
    l.label ?? '-', `created ${l.createdAt}`, `last used ${l.lastUsedAt ?? 'never'}`,
  ].join('\t');
}

export async function feedCommand(args: string[], io: CliIO): Promise<number> {
  const { positional, flags } = splitArgs(args);
  const { values, rest } = takeOptions(flags, ['--calendar', '--group', '--details', '--alarms', '--label'], feedUsage);
  const [sub, username, id] = positional;
  return withStore(io, rest, async (store, config) => {
    const user = await userNamed(store, username, feedUsage);
    const printSecret = (token: string) => {
      const { url, webcal } = feedUrls(cliBaseUrl(config), token);
      io.out(`webcal: ${webcal}`);
      io.out(url);
    };
    switch (sub) {
      case 'create': {
        const alarms = values['--alarms'];
        if (alarms !== undefined && alarms !== 'kept' && alarms !== 'removed') throw new UsageError(`--alarms is "kept" or "removed"\n\n${feedUsage}`);
        const made = await asUsage(() => createLink(store, user, {
          calendar: values['--calendar'] ?? null,
          group: values['--group'] ?? null,
          details: values['--details'] ?? 'full',
          alarms: alarms !== 'removed',
          label: values['--label'] ?? null,
        }));
        io.out(`created link ${describe(made.link)}`);
        io.out('The URL is shown only now; anyone who has it can read the calendar. Keep it private.');
        printSecret(made.token);
        return 0;
      }
      case 'list': {
        for (const l of await listLinks(store, user)) io.out(describe(l));
        return 0;
      }
      case 'revoke': {
        if (!id) throw new UsageError(feedUsage);
        await asUsage(() => revokeLink(store, user, id));
        io.out(`link ${id} of ${user.username} revoked`);
        return 0;
      }
      case 'regenerate': {
        if (!id) throw new UsageError(feedUsage);
        const made = await asUsage(() => regenerateLink(store, user, id));
        io.out(`new secret for link ${describe(made.link)}; the old URL no longer works`);
        printSecret(made.token);
        return 0;
      }
      default:
        throw new UsageError(feedUsage);
    }
  });
}
