// sundial serve — runs the server until SIGTERM/SIGINT, then shuts down gracefully.
import { loadConfig, optionsHelp } from '../config.js';
import { createLogger } from '../log.js';
import { startServer } from '../server.js';
import type { CliIO } from './command.js';
import { openLine } from './open-line.js';

export async function serveCommand(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out('Usage: sundial serve [options]\n\nEvery option can also be set by its environment variable.\n');
    io.out(optionsHelp());
    return 0;
  }
  const config = loadConfig(io.env, args);
  const log = createLogger(config.logLevel);
  // The handlers go in before the server starts: a SIGTERM arriving during startup, or right after
  // "Sundial listening" is logged, must still shut down gracefully rather than kill the process
  // (Node's default action) with the database open.
  let signalled = false;
  let wake = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'signal received');
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    signalled = true;
    wake();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let server;
  try {
    server = await startServer(config, log, { print: io.err });
  } catch (err) {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    throw err;
  }
  io.err(openLine(server.url, config.host, config.baseUrl));
  if (!signalled) await new Promise<void>((resolve) => { wake = resolve; });
  await server.stop().catch((err: unknown) => log.error({ err }, 'shutdown failed'));
  return 0;
}
