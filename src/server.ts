// Starting and stopping a Sundial server: open and migrate the store, build the app, listen, and
// on stop finish in-flight requests (bounded by shutdownTimeoutSeconds), then close the database.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Store } from './store/types.js';
import { claimDataFolder, openSqliteStore } from './store/sqlite/index.js';
import { DataFolderUnusable } from './store/errors.js';
import { createApp, type SundialApp } from './app.js';
import { bootstrapAdmin } from './bootstrap.js';

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  app: SundialApp;
  stop(): Promise<void>;
}

export function databasePath(config: Config): string {
  return path.join(config.dataDir, 'sundial.db');
}

/**
 * Opens (creating and migrating as needed) the database of the data folder. A folder or database
 * Sundial cannot write (a read-only mount, wrong owner) is one clear sentence, not a driver error:
 * every start migrates, and SQLite's WAL needs its -wal and -shm files beside the database.
 */
export async function openStore(config: Config, log?: Logger): Promise<Store> {
  const dir = config.dataDir;
  const unwritable = (why: string) => new DataFolderUnusable(`Sundial cannot write to its data folder ${dir} (${why}); make it writable for the user running Sundial, or set SUNDIAL_DATA to another folder.`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'it does not exist and cannot be created' : code ?? (err as Error).message;
    throw unwritable(why);
  }
  // SUNDIAL_DATABASE_URL selects PostgreSQL (issue 18); the data folder stays (the lock file).
  if (config.databaseUrl !== null) {
    // The LISTEN connection of the cluster events reconnects by itself; while it is down the
    // store reads without its caches (store/postgres/notifications.ts), which the log says.
    const onListenError = log ? (err: Error) => log.warn({ err: err.message }, 'cluster events (PostgreSQL LISTEN/NOTIFY): reading without the caches until the listener is back') : undefined;
    // Loaded only here: a SQLite installation never loads node-postgres (store/database-url.ts).
    const { openPostgresStore } = await import('./store/postgres/index.js');
    return openPostgresStore({
      url: config.databaseUrl,
      connectTimeoutSeconds: config.databaseConnectTimeoutSeconds,
      onListenError,
      // An idle pooled connection broke (the database restarted, a network cut): the pool drops
      // it and opens a new one when needed; requests meanwhile get 503 (http/errors.ts).
      onIdleError: (err) => log?.warn({ err: { code: (err as { code?: unknown }).code, message: err.message } }, 'database connection lost'),
    });
  }
  try {
    return await openSqliteStore({ path: databasePath(config) });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EROFS')) {
      throw unwritable(`the database ${databasePath(config)} is read-only: ${code}`);
    }
    throw err;
  }
}

export async function startServer(config: Config, log: Logger, opts: { store?: Store; print?: (line: string) => void } = {}): Promise<RunningServer> {
  // The folder must be writable before it can be claimed (openStore says so in one sentence).
  const store = opts.store ?? (await openStore(config, log));
  let release: () => void;
  try {
    release = claimDataFolder(config.dataDir);
  } catch (err) {
    if (!opts.store) await store.close();
    throw err;
  }
  try {
    return await listen(config, log, store, release, opts);
  } catch (err) {
    release();
    // A store it opened is closed too: PostgreSQL's pool and LISTEN connection would otherwise
    // keep the process alive after a failed start (a bad TLS setting, a port in use).
    if (!opts.store) await store.close();
    throw err;
  }
}

async function listen(config: Config, log: Logger, store: Store, release: () => void, opts: { print?: (line: string) => void }): Promise<RunningServer> {
  if (config.createAdmin) await bootstrapAdmin(store, log, opts.print ?? ((l) => process.stderr.write(l + '\n')));
  const app = createApp({ config, store, log });
  if ((config.tlsCert === null) !== (config.tlsKey === null)) throw new Error('SUNDIAL_TLS_CERT and SUNDIAL_TLS_KEY go together');
  // Optional built-in TLS (SPEC "Running it"); the usual setup is a reverse proxy (docs/deployment.md).
  const tls = config.tlsCert && config.tlsKey ? { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) } : null;
  const server = tls ? https.createServer(tls, app.koa.callback()) : http.createServer(app.koa.callback());
  // Slow-loris protection without cutting legitimate large uploads.
  server.headersTimeout = 30_000;
  server.requestTimeout = 300_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  log.info({ url }, 'Sundial listening');

  let stopping: Promise<void> | null = null;
  // Keep-alive clients would otherwise hold their connection open until Node's idle timeout
  // after their last response: once stopping, each finished response closes its connection.
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (stopping) res.setHeader('Connection', 'close');
    res.once('finish', () => { if (stopping) setImmediate(() => server.closeIdleConnections()); });
  });
  const stop = () => {
    stopping ??= (async () => {
      log.info('shutting down: finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = new Promise<void>((resolve) => setTimeout(() => { server.closeAllConnections(); resolve(); }, config.shutdownTimeoutSeconds * 1000).unref());
      await Promise.race([closed, timeout]);
      await store.close();
      release();
      log.info('stopped');
    })();
    return stopping;
  };
  return { url, port, store, app, stop };
}
