// Built-in TLS: with SUNDIAL_TLS_CERT and SUNDIAL_TLS_KEY the server speaks HTTPS. The
// certificate is made with the openssl command (present wherever the test suite runs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { startTestServer } from '../helpers/server.js';

test('SUNDIAL_TLS_CERT/KEY serve HTTPS', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sundial-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']);
  assert.is(made.status, 0, 'openssl made a certificate');
  const srv = await startTestServer({ SUNDIAL_TLS_CERT: cert, SUNDIAL_TLS_KEY: key });
  try {
    assert.match(srv.url, /^https:\/\//);
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${srv.url}/healthz`, { rejectUnauthorized: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    assert.equal(JSON.parse(body), { status: 'ok' });
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a certificate without a key is refused at start', async () => {
  let failed = false;
  try {
    const srv = await startTestServer({ SUNDIAL_TLS_CERT: '/nonexistent.pem' });
    await srv.close();
  } catch (err) {
    failed = /go together/.test((err as Error).message);
  }
  assert.ok(failed);
});

test.run();
