// CalendarServer getctag (caldav-ctag-03): changes whenever anything in the collection changes.
// Apple reads it with sync-token on every poll (CLIENTS.md §1.3); it follows the sync token.
import { CS } from '../../xml/names.js';
import { defineProperty } from './registry.js';
import { ctagOf, homeCtagOf } from './values.js';

defineProperty({
  name: CS.getctag, kinds: ['calendar', 'addressbook', 'collection', 'home'], allprop: false, protected: true,
  get: (r, ctx) => {
    if (r.kind === 'home') return ctx.homeSeq === undefined ? undefined : homeCtagOf(ctx.homeSeq, r.device?.id);
    return r.kind === 'calendar' || r.kind === 'addressbook' || r.kind === 'collection' ? ctagOf(r.collection.syncSeq) : undefined;
  },
});
