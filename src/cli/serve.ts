// sundial serve — runs the server until SIGTERM/SIGINT, then shuts down gracefully.
import { loadConfig, optionsHelp } from '../config.js';
import { createLogger } from '../log.js';
import { startServer } from '../server.js';
import type { CliIO } from './context.js';

export async function serveCommand(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out('Usage: sundial serve [options]\n\nEvery option can also be set by its environment variable.\n');
    io.out(optionsHelp());
    return 0;
  }
  const config = loadConfig(io.env, args);
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log, { print: io.err });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'signal received');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      server.stop().then(resolve, (err) => { log.error({ err }, 'shutdown failed'); resolve(); });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return 0;
}
