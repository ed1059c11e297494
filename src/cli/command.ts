// What every command needs: the configuration (environment + flags) and, for commands that touch
// data, a migrated store closed when the command ends.
import { loadConfig, type Config } from '../config.js';
import { openStore } from '../server.js';
import type { Store } from '../store/types.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

export const processIO: CliIO = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  env: process.env,
};

/**
 * Splits "--data DIR"-style server options from the command's own arguments. `booleans` names the
 * command's own flags that take no value (e.g. --admin), so `user add --admin bob` keeps "bob" as
 * a positional argument instead of reading it as the flag's value.
 */
export function splitArgs(args: string[], booleans: readonly string[] = []): { positional: string[]; flags: string[] } {
  const positional: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      flags.push(a);
      if (booleans.includes(a)) continue;
      if (!a.includes('=') && i + 1 < args.length && !args[i + 1]!.startsWith('--')) flags.push(args[++i]!);
    } else positional.push(a);
  }
  return { positional, flags };
}

export async function withStore<T>(io: CliIO, flags: string[], fn: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env, flags);
  const store = await openStore(config);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
