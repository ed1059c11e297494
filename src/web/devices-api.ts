// JSON API of devices and their app passwords, under /api/devices (docs/api.md, issue 16). Same
// rules as src/web/api.ts: a session cookie identifies the user, every change needs the session's
// CSRF token in X-CSRF-Token, bad input is a 4xx JSON error ({ error, message }).
//   GET    /api/devices                  { devices, policy }
//   POST   /api/devices                  { name } → the device, its app password and how to connect, once
//   PATCH  /api/devices/:id              { follow: true } | { calendars: [uri…], addressbooks?: [uri…] }
//   DELETE /api/devices/:id              revoke
//   POST   /api/devices/:id/profile      { password? } → the device's Apple profile (the password
//                                        embedded only when given, and only if it is this device's)
//   PUT    /api/devices/policy           { required: true | false | null } ("devices must use app passwords")
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import { appPasswordHash } from '../auth/app-passwords.js';
import { addDevice, deviceNamed, devicePolicy, listDevices, revokeDevice, selectForDevice, type DeviceSelection } from '../services/devices.js';
import { invalid } from '../services/errors.js';
import { absoluteUrl, principalPath } from '../urls.js';
import type { Sessions } from './sessions.js';
import { readJson } from './json.js';
import { apiErrors, jsonRouter, requireSession, type SessionState } from './session-auth.js';
import { baseUrlOf } from './api.js';
import { appleProfile } from './apple-profile.js';
import { davx5LoginUri, qrDataUrl } from './device-setup.js';

export interface DevicesApiDeps {
  store: Store;
  config: Config;
  sessions: Sessions;
}

export function devicesRouter({ store, config, sessions }: DevicesApiDeps): Router {
  const router = jsonRouter('/api/devices');
  router.use(apiErrors);
  router.use(requireSession(store, sessions));
  const me = (ctx: Context) => (ctx.state as SessionState).user;
  const idOf = (ctx: Context) => {
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id < 1) throw invalid('a device id is a positive integer');
    return id;
  };

  router.get('/', async (ctx) => {
    ctx.body = { devices: await listDevices(store, me(ctx)), policy: await devicePolicy(store, me(ctx), config.devicePasswordsRequired) };
  });

  router.post('/', async (ctx) => {
    const body = await readJson(ctx);
    const user = me(ctx);
    const base = baseUrlOf(ctx, config);
    // The links and the QR code are made before the device is stored (addDevice's prepare): any
    // failure there stores nothing.
    const { device, password, prepared } = await addDevice(store, user, body.name, async (pw) => {
      const uri = davx5LoginUri(`${base}/`, user.username, pw);
      return { serverUrl: `${base}/`, principalUrl: absoluteUrl(base, principalPath(user.username)), davx5: { uri, qr: await qrDataUrl(uri) } };
    });
    ctx.status = 201;
    ctx.body = { device, password, username: user.username, ...prepared };
  });

  // Before /:id so that "policy" is not read as an id.
  router.put('/policy', async (ctx) => {
    const body = await readJson(ctx);
    const required = body.required;
    if (required !== true && required !== false && required !== null) throw invalid('required is true, false or null (the server default)');
    await store.setDevicePolicy(me(ctx).id, required);
    ctx.body = await devicePolicy(store, me(ctx), config.devicePasswordsRequired);
  });

  router.patch('/:id', async (ctx) => {
    const body = await readJson(ctx);
    const uris = (v: unknown): v is string[] => Array.isArray(v) && v.every((c) => typeof c === 'string');
    let selection: DeviceSelection | null;
    if (body.follow === true && body.calendars === undefined && body.addressbooks === undefined) selection = null;
    // addressbooks absent: none (callers written before address books send calendars only).
    else if (body.follow !== true && uris(body.calendars) && (body.addressbooks === undefined || uris(body.addressbooks))) {
      selection = { calendars: body.calendars, addressbooks: body.addressbooks ?? [] };
    } else throw invalid('send { "follow": true } or { "calendars": ["uri", …], "addressbooks": ["uri", …] }');
    ctx.body = await selectForDevice(store, me(ctx), idOf(ctx), selection);
  });

  router.delete('/:id', async (ctx) => {
    await revokeDevice(store, me(ctx), idOf(ctx));
    ctx.status = 204;
  });

  router.post('/:id/profile', async (ctx) => {
    const body = await readJson(ctx);
    const user = me(ctx);
    const device = await deviceNamed(store, user, idOf(ctx));
    let password: string | undefined;
    if (body.password !== undefined) {
      // Only this device's own password goes into its profile (the page holds it only while the
      // dialog that showed it is open); anything else would be a profile that cannot log in.
      const found = typeof body.password === 'string' ? await store.findDeviceByToken(appPasswordHash(body.password)) : null;
      if (!found || found.device.id !== device.id) throw invalid('that is not this device\'s app password');
      password = body.password as string;
    }
    const safe = `${user.username}-${device.name}`.replace(/[^A-Za-z0-9._-]/g, '_');
    ctx.set('Content-Disposition', `attachment; filename="sundial-${safe}.mobileconfig"`);
    ctx.type = 'application/x-apple-aspen-config';
    ctx.body = appleProfile({ baseUrl: baseUrlOf(ctx, config), username: user.username, device: { id: device.id, name: device.name, ...(password ? { password } : {}) } });
  });

  return router;
}
