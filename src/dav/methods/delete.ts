// DELETE (RFC 4918 §9.6): an object, a plain collection with everything below it, or a
// calendar. A sharee deleting a shared calendar removes it from their own home only (the owner's
// data stays): what "delete" means to them in iOS or Thunderbird. The calendar home, principal
// and root cannot be deleted, nor a user's last own calendar: iOS misbehaves on an empty home
// (CLIENTS.md §1.4), and macOS "deletes" by creating an unnamed calendar first anyway. An address
// book goes the same way (a sharee's DELETE removes their instance), but the last one may go: no
// client is known to need one, and the page makes a new one in a click.
import type { MethodHandler } from '../handler-types.js';
import { DavError, forbidden, notFound } from '../errors.js';
import { removeCalendar } from '../../services/calendars.js';
import { ServiceError } from '../../services/errors.js';
import { writeConditions } from '../conditional.js';
import { requireWrite } from '../privileges.js';
import { translated } from '../store-errors.js';

export const del: MethodHandler = async (req, svc, resource) => {
  const store = svc.store;
  switch (resource.kind) {
    case 'object':
      requireWrite(resource.parent, 'unbind');
      await translated(() => store.deleteObject(resource.parent.collection.id, resource.name, writeConditions(req)));
      return { status: 204, body: null };
    case 'calendar':
      // The same rules as the preferences page: a sharee's DELETE removes only their instance.
      try {
        await translated(() => removeCalendar(store, resource.user, resource.instance.uri));
      } catch (err) {
        if (err instanceof ServiceError) throw new DavError(err.status === 404 ? 404 : 403, null, err.message);
        throw err;
      }
      return { status: 204, body: null };
    case 'addressbook':
      if (resource.access === 'owner') await translated(() => store.deleteCollection(resource.collection.id));
      else await translated(() => store.unshare(resource.collection.id, resource.user.id));
      return { status: 204, body: null };
    case 'collection':
      await translated(() => store.deleteCollection(resource.collection.id));
      return { status: 204, body: null };
    case 'missing':
      throw notFound();
    default:
      throw forbidden('This resource cannot be deleted');
  }
};
