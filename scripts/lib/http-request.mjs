// A minimal HTTP client for the CI shell scripts, so they need no curl:
//   node http-request.mjs METHOD URL [-u USER:PASS] [-H 'Name: value']… [--data TEXT | --data-file FILE] [-o OUT]
// Prints the status code on stdout and writes the body to OUT (discarded without -o). Exits 0 on
// any HTTP answer, 1 when no answer came (connection refused, timeout).
import fs from 'node:fs';
import http from 'node:http';

const [method, url, ...rest] = process.argv.slice(2);
if (!method || !url) {
  console.error('usage: http-request.mjs METHOD URL [-u USER:PASS] [-H HEADER]… [--data TEXT | --data-file FILE] [-o OUT]');
  process.exit(2);
}
const headers = {};
let body = null;
let out = null;
for (let i = 0; i < rest.length; i += 2) {
  const [flag, value] = [rest[i], rest[i + 1]];
  if (value === undefined) { console.error(`missing value after ${flag}`); process.exit(2); }
  if (flag === '-u') headers.Authorization = 'Basic ' + Buffer.from(value).toString('base64');
  else if (flag === '-H') {
    const colon = value.indexOf(':');
    headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
  } else if (flag === '--data') body = Buffer.from(value);
  else if (flag === '--data-file') body = fs.readFileSync(value);
  else if (flag === '-o') out = value;
  else { console.error(`unknown option ${flag}`); process.exit(2); }
}
if (body) headers['Content-Length'] = String(body.length);

const req = http.request(url, { method, headers, timeout: 30_000 }, (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => {
    if (out) fs.writeFileSync(out, Buffer.concat(chunks));
    process.stdout.write(String(res.statusCode));
  });
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => { console.error(`${method} ${url}: ${err.message}`); process.exit(1); });
req.end(body ?? undefined);
