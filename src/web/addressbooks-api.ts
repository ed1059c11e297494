// JSON API of address books under /api/addressbooks (issue 14 items 4 and 6; docs/api.md), for the
// preferences page's "My address books" and "Other address books". Same rules as src/web/api.ts:
// a session cookie identifies the user, every change needs the session's CSRF token in
// X-CSRF-Token, bad input is a 4xx JSON error ({ error, message }).
//   GET    /api/addressbooks                        { mine, others }
//   POST   /api/addressbooks                        { displayName, description? } → 201 address book
//   PATCH  /api/addressbooks/:uri                   { displayName?, description?, sync? }
//   DELETE /api/addressbooks/:uri                   { result: 'deleted' | 'unsubscribed' }
//   PUT    /api/addressbooks/:uri/shares/:username  { access: 'read' | 'read-write' } → 204
//   DELETE /api/addressbooks/:uri/shares/:username  → 204
//   POST   /api/addressbooks/:uri/import            body text/vcard (a .vcf of many cards) → summary
//   GET    /api/addressbooks/:uri/export            the address book as one .vcf (attachment)
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import { Readable } from 'node:stream';
import type { Config } from '../config.js';
import type { CalendarInstance, Store } from '../store/types.js';
import { ApiError } from '../http/errors.js';
import { readBody } from '../http/body.js';
import {
  addressBookInstance, addressBookView, createAddressBook, listAddressBooks, removeAddressBook,
  shareAddressBook, unshareAddressBook, updateAddressBook,
} from '../services/addressbooks.js';
import { forbiddenAction } from '../services/errors.js';
import { warnIfPassedThreshold } from '../services/large-calendars.js';
import { decodeVCard, vcardLimitsOf } from '../vcard/validate.js';
import { VCardError } from '../vcard/errors.js';
import { importVCards } from '../vcard-files/import.js';
import { exportVCards } from '../vcard-files/export.js';
import type { Sessions } from './sessions.js';
import type { ImportGate } from './import-gate.js';
import { readJson } from './json.js';
import { apiErrors, jsonRouter, requireSession, type SessionState } from './session-auth.js';

export interface AddressBooksApiDeps {
  store: Store;
  config: Config;
  sessions: Sessions;
  /** Imports running at once (shared with the calendars' import). */
  imports: ImportGate;
}

/** Largest .vcf upload: 9,000 cards with small photos are about 20 MB. */
export const VCF_IMPORT_LIMIT = 32 * 1024 * 1024;
/** Skipped cards listed in the answer; the count is always complete. */
const MAX_SKIPPED_LISTED = 200;
/** Media types a .vcf upload may be sent as (browsers give .vcf files text/vcard or text/x-vcard). */
const VCF_TYPES = ['text/vcard', 'text/x-vcard', 'text/directory'];

export function addressBooksRouter({ store, config, sessions, imports }: AddressBooksApiDeps): Router {
  const router = jsonRouter('/api/addressbooks');
  router.use(apiErrors);
  router.use(requireSession(store, sessions));
  const me = (ctx: Context) => (ctx.state as SessionState).user;
  const threshold = config.largeCalendarThreshold;

  router.get('/', async (ctx) => {
    ctx.body = await listAddressBooks(store, me(ctx), threshold);
  });

  router.post('/', async (ctx) => {
    const body = await readJson(ctx);
    const i = await createAddressBook(store, me(ctx), { displayName: body.displayName, description: body.description });
    ctx.status = 201;
    ctx.body = await addressBookView(store, me(ctx), i, threshold);
  });

  router.patch('/:uri', async (ctx) => {
    const body = await readJson(ctx);
    const i = await updateAddressBook(store, me(ctx), ctx.params.uri!, { displayName: body.displayName, description: body.description, sync: body.sync });
    ctx.body = await addressBookView(store, me(ctx), i, threshold);
  });

  router.delete('/:uri', async (ctx) => {
    ctx.body = { result: await removeAddressBook(store, me(ctx), ctx.params.uri!) };
  });

  router.put('/:uri/shares/:username', async (ctx) => {
    const body = await readJson(ctx);
    await shareAddressBook(store, me(ctx), ctx.params.uri!, ctx.params.username, body.access);
    ctx.status = 204;
  });

  router.delete('/:uri/shares/:username', async (ctx) => {
    await unshareAddressBook(store, me(ctx), ctx.params.uri!, ctx.params.username!);
    ctx.status = 204;
  });

  router.post('/:uri/import', async (ctx) => {
    const instance = await addressBookInstance(store, me(ctx), ctx.params.uri!);
    if (instance.access === 'read') throw forbiddenAction('this address book is shared with you read-only');
    if (!ctx.is(VCF_TYPES)) throw new ApiError(415, 'unsupported_media_type', 'send text/vcard');
    await imports.run(ctx, me(ctx).id, () => importVcf(ctx, instance));
  });

  const importVcf = async (ctx: Context, instance: CalendarInstance) => {
    const raw = await readBody(ctx, VCF_IMPORT_LIMIT, () => new ApiError(413, 'too_large', `an import is at most ${VCF_IMPORT_LIMIT / 1024 / 1024} MB`));
    let text: string;
    try {
      text = decodeVCard(raw);
    } catch (err) {
      if (err instanceof VCardError) throw new ApiError(400, 'invalid_vcard', 'the file is not UTF-8 text');
      throw err;
    }
    const summary = await importVCards(store, instance.collection, text, { limits: vcardLimitsOf(config) });
    if (ctx.state.log) warnIfPassedThreshold(ctx.state.log, threshold, instance.collection, instance.collection.objectCount, summary.entries);
    ctx.state.log?.info({ addressbook: instance.uri, imported: summary.imported, replaced: summary.replaced, unchanged: summary.unchanged, skipped: summary.skipped.length }, 'vcard import');
    ctx.body = {
      ...summary,
      skipped: summary.skipped.slice(0, MAX_SKIPPED_LISTED),
      skippedCount: summary.skipped.length,
      large: summary.entries > threshold,
    };
  };

  router.get('/:uri/export', async (ctx) => {
    const instance = await addressBookInstance(store, me(ctx), ctx.params.uri!);
    const file = (instance.collection.displayName ?? instance.uri).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'contacts';
    ctx.set('Content-Disposition', `attachment; filename="${file}.vcf"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/vcard; charset=utf-8';
    ctx.body = Readable.from(exportVCards(store, instance.collection.id));
  });

  return router;
}
