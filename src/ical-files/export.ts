// Export of one calendar as a single .ics file (`sundial export`): every object, every component
// type, byte for byte apart from the VCALENDAR wrapper, VTIMEZONEs de-duplicated; streamed in
// batches like a feed.
import type { CalendarInstance, Store } from '../store/types.js';
import { mergeCalendar } from '../ical/merge.js';
import { objectTexts } from '../feeds/feed.js';

export function exportCalendar(store: Store, instance: CalendarInstance): AsyncGenerator<string> {
  // A sharee's export holds what they see over DAV (services/visibility.ts).
  const shared = new Set(instance.access === 'owner' ? [] : [instance.collection.id]);
  return mergeCalendar(objectTexts(store, [instance.collection.id], null, shared), { name: instance.collection.displayName ?? instance.uri });
}
