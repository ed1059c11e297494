// The option table (src/config.ts): defaults, environment over defaults, flags over the
// environment, refusal of bad values and unknown flags; and docs/configuration.md naming every
// option's flag and environment variable.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig, options, optionsHelp } from '../../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ConfigError);
    return err as ConfigError;
  }
  assert.unreachable('expected a ConfigError');
  throw new Error('unreachable');
}

test('defaults: port 8008, host localhost, data ./data, and every option its declared default', () => {
  const config = loadConfig({}, []);
  assert.is(config.port, 8008);
  assert.is(config.host, 'localhost');
  assert.is(config.dataDir, './data');
  assert.is(config.baseUrl, null);
  assert.is(config.trustProxy, false);
  assert.is(config.createAdmin, true);
  assert.is(config.logLevel, 'info');
  for (const [key, o] of Object.entries(options)) assert.equal((config as Record<string, unknown>)[key], o.default, key);
});

test('loadConfig() without arguments does not read process.env', () => {
  const saved = process.env.SUNDIAL_PORT;
  process.env.SUNDIAL_PORT = '1234';
  try {
    assert.is(loadConfig().port, 8008);
  } finally {
    if (saved === undefined) delete process.env.SUNDIAL_PORT;
    else process.env.SUNDIAL_PORT = saved;
  }
});

test('the environment overrides defaults, parsed by type', () => {
  const config = loadConfig({
    SUNDIAL_PORT: '9001',
    SUNDIAL_HOST: '0.0.0.0',
    SUNDIAL_DATA: '/var/lib/sundial',
    SUNDIAL_BASE_URL: 'https://cal.example.com',
    SUNDIAL_TRUST_PROXY: 'yes',
    SUNDIAL_CREATE_ADMIN: 'false',
    SUNDIAL_LOG_LEVEL: 'debug',
    SUNDIAL_CREDENTIAL_CACHE_SECONDS: '0',
    UNRELATED: 'x',
  });
  assert.is(config.port, 9001);
  assert.is(config.host, '0.0.0.0');
  assert.is(config.dataDir, '/var/lib/sundial');
  assert.is(config.baseUrl, 'https://cal.example.com');
  assert.is(config.trustProxy, true);
  assert.is(config.createAdmin, false);
  assert.is(config.logLevel, 'debug');
  assert.is(config.credentialCacheSeconds, 0);
  assert.is(loadConfig({ SUNDIAL_BASE_URL: '' }).baseUrl, null, 'empty base URL means none');
  for (const [raw, value] of [['1', true], ['TRUE', true], ['on', true], ['0', false], ['No', false], ['off', false]] as const) {
    assert.is(loadConfig({ SUNDIAL_TRUST_PROXY: raw }).trustProxy, value, raw);
  }
});

test('flags override the environment: --port 9000 and --port=9000', () => {
  const env = { SUNDIAL_PORT: '7000', SUNDIAL_HOST: '127.0.0.1' };
  assert.is(loadConfig(env, ['--port', '9000']).port, 9000);
  assert.is(loadConfig(env, ['--port=9000']).port, 9000);
  assert.is(loadConfig(env, []).port, 7000);
  const config = loadConfig(env, ['--data', '/srv/cal', '--trust-proxy=true', '--base-url=https://x.example/cal', '--port=0']);
  assert.is(config.dataDir, '/srv/cal');
  assert.is(config.trustProxy, true);
  assert.is(config.baseUrl, 'https://x.example/cal', 'only the first "=" splits');
  assert.is(config.port, 0);
  assert.is(config.host, '127.0.0.1', 'the environment still applies to options without a flag');
  assert.is(loadConfig({}, ['--port', '1', '--port', '2']).port, 2, 'the last flag wins');
});

test('bad values throw ConfigError naming the option', () => {
  const cases: [Record<string, string>, string[], RegExp][] = [
    [{ SUNDIAL_PORT: 'eighty' }, [], /SUNDIAL_PORT/],
    [{ SUNDIAL_PORT: '65536' }, [], /SUNDIAL_PORT/],
    [{ SUNDIAL_PORT: '-1' }, [], /SUNDIAL_PORT/],
    [{ SUNDIAL_PORT: '80.5' }, [], /SUNDIAL_PORT/],
    [{}, ['--port', 'x'], /--port/],
    [{}, ['--port=99999'], /--port/],
    [{ SUNDIAL_TRUST_PROXY: 'maybe' }, [], /SUNDIAL_TRUST_PROXY/],
    [{ SUNDIAL_LOG_LEVEL: 'loud' }, [], /SUNDIAL_LOG_LEVEL/],
    [{}, ['--create-admin=perhaps'], /--create-admin/],
    [{ SUNDIAL_MAX_RESOURCE_SIZE: '10' }, [], /SUNDIAL_MAX_RESOURCE_SIZE/],
    [{ SUNDIAL_SHUTDOWN_TIMEOUT_SECONDS: 'soon' }, [], /SUNDIAL_SHUTDOWN_TIMEOUT_SECONDS/],
  ];
  for (const [env, argv, name] of cases) {
    const err = configError(() => loadConfig(env, argv));
    assert.match(err.message, name, `${JSON.stringify(env)} ${argv.join(' ')}: ${err.message}`);
  }
});

test('unknown flags and flags without a value throw ConfigError', () => {
  assert.match(configError(() => loadConfig({}, ['--nope'])).message, /unknown option --nope/);
  assert.match(configError(() => loadConfig({}, ['--nope=1'])).message, /unknown option --nope/);
  assert.match(configError(() => loadConfig({}, ['port', '9000'])).message, /unknown option port/);
  assert.match(configError(() => loadConfig({}, ['--port'])).message, /--port needs a value/);
});

test('every option has a distinct SUNDIAL_ variable and -- flag, and parses its own default', () => {
  const envs = new Set<string>();
  const flags = new Set<string>();
  for (const [key, o] of Object.entries(options)) {
    assert.match(o.env, /^SUNDIAL_[A-Z_]+$/, key);
    assert.match(o.flag, /^--[a-z][a-z-]*$/, key);
    assert.ok(!envs.has(o.env) && !flags.has(o.flag), `${key} is unique`);
    envs.add(o.env);
    flags.add(o.flag);
    assert.ok(o.help.length > 10, `${key} has help text`);
    if (o.default !== null) assert.equal(loadConfig({ [o.env]: String(o.default) })[key as keyof typeof options], o.default, `${key} round-trips`);
  }
});

test('serve --help text lists every option', () => {
  const help = optionsHelp();
  for (const o of Object.values(options)) {
    assert.ok(help.includes(o.env), o.env);
    assert.ok(help.includes(o.flag), o.flag);
  }
});

test('docs/configuration.md documents every option (flag and environment variable)', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const missing: string[] = [];
  for (const o of Object.values(options)) {
    // Whole words in code spans, so --port is not satisfied by --port-something.
    if (!doc.includes('`' + o.env + '`')) missing.push(o.env);
    if (!doc.includes('`' + o.flag + '`')) missing.push(o.flag);
  }
  assert.equal(missing, [], `missing from docs/configuration.md: ${missing.join(', ')}`);
});

test.run();
