// Structured logging (pino, JSON lines). Secrets never reach a log line: request logs carry
// method, path, status and user name only, and the redact list below is a second line of defence
// should a header or body object ever be logged whole.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'password', '*.password', 'token', '*.token'],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}
