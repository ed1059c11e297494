// The bench's reader of what a listing names (scripts/bench/multistatus.ts listedHrefs): inside the
// timed initial syncs it takes hrefs and response-level statuses without reading propstats; it must
// agree with the full reader on both, whatever prefix the server uses.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listedHrefs, parseMultistatus } from '../../scripts/bench/multistatus.js';

const t = suite('bench listedHrefs');

const BODY = '<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">'
  + '<D:response><D:href>/c/</D:href><D:propstat><D:prop><D:getetag/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>'
  + '<D:response><D:href>/c/a%20b.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>'
  + '<D:response>\n <D:href> /c/gone.ics </D:href>\n <D:status>HTTP/1.1 404 Not Found</D:status></D:response>'
  + '<response xmlns="DAV:"><href>/c/x&amp;y.ics</href><propstat><prop><getetag>"2"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>'
  + '<D:sync-token>t</D:sync-token></D:multistatus>';

t('hrefs and response-level statuses, as the full reader gives them', () => {
  const fast = listedHrefs(BODY);
  assert.equal(fast, [
    { href: '/c/', status: null },
    { href: '/c/a%20b.ics', status: null },
    { href: '/c/gone.ics', status: 404 },
    { href: '/c/x&y.ics', status: null },
  ]);
  assert.equal(fast, parseMultistatus(BODY, []).map((m) => ({ href: m.href, status: m.status })));
});

t.run();
