import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange, type RawExchange } from '../test-support/raw-http.js';
import { BASE, healthOf, startRenderedStack, type RenderedStack } from '../test-support/rendered-stack.js';

/**
 * What a malformed request may get: `reject` a 4xx; `answer` anything but a 5xx (lenient input,
 * e.g. ?page=abc shows page 1); `closed` a 4xx or the connection closed without an answer (the
 * client broke the message off, so there is nothing to answer).
 */
type Expect = 'reject' | 'answer' | 'closed';

interface Case {
  name: string;
  chunks: (Buffer | number)[];
  expect: Expect;
  /** responses expected on the connection (pipelining) */
  responses?: number;
  /** the status the first answer must have */
  status?: number;
  halfClose?: boolean;
}

interface Target {
  port: number;
  /** the ORIGIN the site requires */
  origin: string;
  /** the site's own address, which is not its ORIGIN */
  siteOrigin: string;
}

const KB = 1024;
const LIMIT = 512 * KB; // BODY_SIZE_LIMIT's default

type Headers = [string, string][];

/** A request as bytes: a POST of a form to the page by default, with `Connection: close`. */
function request(
  target: Target,
  options: {
    method?: string;
    path?: string;
    version?: string;
    contentType?: string | null;
    origin?: string | null;
    headers?: Headers;
    body?: Buffer | string;
    /** 'auto' (the body's length), a value to declare instead, or null for none */
    contentLength?: 'auto' | string | null;
    host?: string | null;
    connection?: string | null;
    accept?: string;
  } = {},
): Buffer {
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : (options.body ?? Buffer.alloc(0));
  const method = options.method ?? 'POST';
  const headers: Headers = [];
  const host = options.host === undefined ? `127.0.0.1:${target.port}` : options.host;
  if (host !== null) headers.push(['Host', host]);
  const origin = options.origin === undefined ? target.origin : options.origin;
  if (origin !== null) headers.push(['Origin', origin]);
  headers.push(['Accept', options.accept ?? 'text/html']);
  const contentType = options.contentType === undefined ? 'application/x-www-form-urlencoded' : options.contentType;
  if (contentType !== null && method !== 'GET') headers.push(['Content-Type', contentType]);
  const contentLength = options.contentLength === undefined ? (method === 'GET' && body.length === 0 ? null : 'auto') : options.contentLength;
  if (contentLength !== null) headers.push(['Content-Length', contentLength === 'auto' ? String(body.length) : contentLength]);
  if (options.connection !== null) headers.push(['Connection', options.connection ?? 'close']);
  headers.push(...(options.headers ?? []));
  const head = `${method} ${options.path ?? `${BASE}/`} ${options.version ?? 'HTTP/1.1'}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const form = (fields: [string, string][]) => fields.map(([k, v]) => `${k}=${v}`).join('&');

function multipart(boundary: string, parts: { headers: string[]; content: string | Buffer }[], close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`), Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content), Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** The generated requests: broken bodies, content types, encodings, sizes, headers, origins, methods, protocol. */
export function malformedCases(target: Target): Case[] {
  const cases: Case[] = [];
  const add = (name: string, expect: Expect, chunks: Buffer | (Buffer | number)[], extra: Partial<Case> = {}) =>
    cases.push({ name, expect, chunks: Buffer.isBuffer(chunks) ? [chunks] : chunks, ...extra });

  // Content types × bodies, none of them a valid form (or a valid form under a type that is not a form's).
  const contentTypes = [
    null,
    '',
    'text/plain',
    'text/plain;charset=utf-8',
    'application/json',
    'application/xml',
    'application/octet-stream',
    'text/html',
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'multipart/form-data; boundary=zz',
    'multipart/mixed; boundary=zz',
    'application/x-www-form-urlencoded; charset=utf-16le',
    'foo/bar',
    'x',
    ';;;=',
  ];
  const bodies = ['', 'garbage', '{"stuff":"a","things":"b"}', '<stuff>a</stuff>', 'stuff=a', '\0\0\0', '--zz\r\nbroken', '=&=&&==%'];
  for (const contentType of contentTypes) {
    const isForm = contentType !== null && /^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(contentType);
    for (const body of [...bodies, ...(isForm ? [] : ['stuff=a&things=b'])]) {
      add(`content-type ${JSON.stringify(contentType)}, body ${JSON.stringify(body)}`, 'reject', request(target, { contentType, body }));
    }
  }

  // Broken multipart bodies.
  const b = 'kdtboundary';
  const mp = `multipart/form-data; boundary=${b}`;
  const stuffPart = { headers: ['Content-Disposition: form-data; name="stuff"'], content: 'a' };
  const thingsPart = { headers: ['Content-Disposition: form-data; name="things"'], content: 'b' };
  const multiparts: [string, string, Buffer][] = [
    ['no closing boundary', mp, multipart(b, [stuffPart, thingsPart], false)],
    ['truncated inside a part', mp, multipart(b, [stuffPart, thingsPart]).subarray(0, 60)],
    ['another boundary in the body', mp, multipart('other', [stuffPart, thingsPart])],
    ['a part without a name', mp, multipart(b, [{ headers: ['Content-Disposition: form-data'], content: 'a' }, thingsPart])],
    ['a part without Content-Disposition', mp, multipart(b, [{ headers: ['Content-Type: text/plain'], content: 'a' }, thingsPart])],
    ['stuff sent as a file', mp, multipart(b, [{ headers: ['Content-Disposition: form-data; name="stuff"; filename="x.txt"', 'Content-Type: text/plain'], content: 'a' }, thingsPart])],
    ['only the closing boundary', mp, Buffer.from(`--${b}--\r\n`)],
    ['headers without the blank line', mp, Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="stuff"\r\na\r\n--${b}--\r\n`)],
    ['LF line ends', mp, Buffer.from(`--${b}\nContent-Disposition: form-data; name="stuff"\n\na\n--${b}--\n`)],
    ['a 64 KB part header, things empty', mp, multipart(b, [{ headers: [`Content-Disposition: form-data; name="stuff"; x="${'h'.repeat(64 * KB)}"`], content: 'a' }, { ...thingsPart, content: '' }])],
    ['a quoted boundary, things empty', `multipart/form-data; boundary="${b}"`, multipart(b, [stuffPart, { ...thingsPart, content: '' }])],
    ['preamble garbage, things missing', mp, Buffer.concat([Buffer.from('garbage before\r\n'), multipart(b, [stuffPart])])],
    ['invalid UTF-8 in a part, things missing', mp, multipart(b, [{ ...stuffPart, content: Buffer.from([0xff, 0xfe, 0xc0, 0xaf]) }])],
    ['NUL bytes in the part name', mp, multipart(b, [{ headers: ['Content-Disposition: form-data; name="st\0uff"'], content: 'a' }, thingsPart])],
    ['a nested multipart/mixed part', mp, multipart(b, [{ headers: ['Content-Disposition: form-data; name="stuff"', 'Content-Type: multipart/mixed; boundary=inner'], content: '--inner\r\n\r\nx\r\n--inner--' }])],
    ['boundary of 200 characters, not matching', `multipart/form-data; boundary=${'q'.repeat(200)}`, multipart(b, [stuffPart, thingsPart])],
    ['a 5000-part body', mp, multipart(b, Array.from({ length: 5000 }, (_, i) => ({ headers: [`Content-Disposition: form-data; name="f${i}"`], content: '' })))],
  ];
  for (const [name, contentType, body] of multiparts) add(`multipart: ${name}`, 'reject', request(target, { contentType, body }));

  // Percent-encoding and raw bytes that do not decode, in a form that is otherwise invalid (things empty).
  const encodings = ['%', '%Z', '%ZZ', '%2', '%E2%82', '%FF%FE', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%00', 'a%00b', '+%+', '%%%%', '%u0041', '%0D%0A'];
  for (const e of encodings) add(`percent-encoding ${e} with things empty`, 'reject', request(target, { body: `stuff=${e}&things=` }));
  for (const e of encodings) add(`percent-encoding ${e} in a field name`, 'reject', request(target, { body: `st${e}uff=x&things=` }));
  const rawBytes: [string, number[]][] = [
    ['0xff 0xfe', [0xff, 0xfe]],
    ['a lone continuation byte', [0x80]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['a UTF-16 surrogate in UTF-8', [0xed, 0xa0, 0x80]],
    ['NUL', [0x00]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['a BOM', [0xef, 0xbb, 0xbf]],
  ];
  for (const [name, bytes] of rawBytes) {
    add(`raw bytes in the body: ${name}, things empty`, 'reject', request(target, { body: Buffer.concat([Buffer.from('stuff='), Buffer.from(bytes), Buffer.from('&things=')]) }));
  }

  // Sizes: bodies over BODY_SIZE_LIMIT (declared and chunked), fields over their limits.
  for (const size of [LIMIT + 1, 600 * KB, 1024 * KB, 2048 * KB]) {
    add(`a ${size}-byte body with Content-Length`, 'reject', request(target, { body: `stuff=a&things=${'x'.repeat(size - 15)}` }), { status: 413 });
  }
  for (const declared of [String(LIMIT + 1), String(10 * 1024 * 1024 * 1024)]) {
    add(`Content-Length ${declared} declared, 10 bytes sent`, 'reject', request(target, { body: 'stuff=a&th', contentLength: declared }), { halfClose: true, status: 413 });
  }
  add('Content-Length 99999999999999999999 declared, 10 bytes sent', 'reject', request(target, { body: 'stuff=a&th', contentLength: '99999999999999999999' }), { halfClose: true });
  for (const size of [LIMIT + 1, 1024 * KB]) {
    const payload = Buffer.from(`stuff=a&things=${'y'.repeat(size)}`);
    const head = request(target, { contentLength: null, headers: [['Transfer-Encoding', 'chunked']] });
    const chunks: Buffer[] = [head];
    for (let at = 0; at < payload.length; at += 64 * KB) {
      const piece = payload.subarray(at, at + 64 * KB);
      chunks.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from('0\r\n\r\n'));
    add(`a chunked body of ${payload.length} bytes`, 'reject', Buffer.concat(chunks), { status: 413 });
  }
  for (const length of [256, 1000, 10_000, 100_000]) {
    add(`stuff of ${length} characters`, 'reject', request(target, { body: form([['stuff', 's'.repeat(length)], ['things', 'x']]) }));
  }
  add('stuff of 256 emoji', 'reject', request(target, { body: new URLSearchParams({ stuff: '😀'.repeat(256), things: 'x' }).toString() }));
  add('things of 1 MB', 'reject', request(target, { body: form([['stuff', 'a'], ['things', 't'.repeat(1024 * KB)]]) }), { status: 413 });
  add('things of 500 KB, stuff empty', 'reject', request(target, { body: form([['stuff', ''], ['things', 't'.repeat(500 * KB)]]) }));
  add('100,000 empty fields', 'reject', request(target, { body: '&'.repeat(100_000) }));
  add('a field name of 400 KB', 'reject', request(target, { body: `${'n'.repeat(400 * KB)}=1` }));

  // Duplicated, missing and blank fields.
  const duplicates = [
    'stuff=a&stuff=b&things=',
    'stuff=&stuff=a&things=b',
    'stuff=a&things=&things=b',
    'stuff=+++&things=b',
    'stuff=a&things=%20%09%0A',
    'stuff&things',
    'stuff=a',
    'things=b',
    'STUFF=a&THINGS=b',
    'stuff[]=a&things[]=b',
    'stuff.x=a&things.y=b',
  ];
  for (const body of duplicates) add(`form ${JSON.stringify(body)}`, 'reject', request(target, { body }));

  // A valid form from the wrong place: no Origin, or another one.
  const valid = form([['stuff', 'must not be stored'], ['things', 'foreign origin']]);
  const origins: [string, string | null, Headers?][] = [
    ['no Origin', null],
    ['Origin null', 'null'],
    ['a foreign Origin', 'http://evil.example'],
    ['the site\'s own address (not the public origin)', target.siteOrigin],
    ['the public origin with a path', `${target.origin}/kit-db-test`],
    ['the public origin over https', target.origin.replace('http:', 'https:')],
    ['the public host without its port', 'http://127.0.0.1'],
    ['an empty Origin', ''],
    ['file://', 'file://'],
    ['Origin of 8 KB', `http://${'o'.repeat(8 * KB)}.example`],
    ['two Origin headers', target.origin, [['Origin', 'http://evil.example']]],
    ['no Origin, a same-site Referer', null, [['Referer', `${target.origin}${BASE}/`]]],
    ['a foreign Origin, X-Forwarded-Host of the public host', 'http://evil.example', [['X-Forwarded-Host', target.origin.slice(7)], ['X-Forwarded-Proto', 'http']]],
  ];
  for (const [name, origin, headers] of origins) add(`valid form, ${name}`, 'reject', request(target, { origin, body: valid, ...(headers ? { headers } : {}) }));

  // Methods.
  add('OPTIONS on the page', 'answer', request(target, { method: 'OPTIONS', body: valid }));
  for (const method of ['PUT', 'DELETE', 'PATCH', 'PROPFIND', 'FOO', 'TRACE']) {
    add(`${method} on the page`, 'reject', request(target, { method, body: valid }));
    add(`${method} on the page, no Origin`, 'reject', request(target, { method, origin: null, body: valid }));
  }
  for (const method of ['POST', 'PUT', 'DELETE']) add(`${method} on /health`, 'reject', request(target, { method, path: `${BASE}/health`, body: valid }));
  add('POST to a named action that does not exist', 'reject', request(target, { path: `${BASE}/?/nope`, body: valid }));
  add('POST to /roundtrip?/nope', 'reject', request(target, { path: `${BASE}/roundtrip?/nope`, body: valid }));
  add('POST to a page that does not exist', 'reject', request(target, { path: `${BASE}/nope`, body: valid }));
  add('CONNECT', 'closed', request(target, { method: 'CONNECT', path: '127.0.0.1:22', origin: null }));

  // Query strings and paths on GET: lenient, never a 5xx.
  const queries = ['page=abc', 'page=-1', 'page=0', 'page=1.5', 'page=1e999', 'page=99999999999999999999', 'page=%ZZ', 'page=1&page=2', 'page=', 'page=%00', 'saved=abc', 'saved=-1', 'saved=%ff', `page=${'9'.repeat(4000)}`, `${'a'.repeat(8000)}=1`, '/', '/default', '&&&==='];
  for (const q of queries) add(`GET ?${q.slice(0, 40)}`, 'answer', request(target, { method: 'GET', path: `${BASE}/?${q}` }));
  for (const path of [`${BASE}/%ZZ`, `${BASE}/..%2f..%2fetc%2fpasswd`, `${BASE}/_app/../../../etc/passwd`, `${BASE}/${'p'.repeat(8000)}`, `${BASE}/%00`, `${BASE}/health/%2e%2e/`, `${BASE}//health`, '*']) {
    add(`GET ${path.slice(0, 40)}`, 'answer', request(target, { method: 'GET', path }));
  }

  // Headers.
  const bad = (name: string, raw: string) => add(name, 'reject', Buffer.from(raw, 'latin1'));
  const host = `127.0.0.1:${target.port}`;
  add('a 20 KB header', 'reject', request(target, { method: 'GET', headers: [['X-Big', 'h'.repeat(20 * KB)]] }));
  add('a 100 KB header', 'reject', request(target, { method: 'GET', headers: [['X-Big', 'h'.repeat(100 * KB)]] }));
  add('2000 headers', 'reject', request(target, { method: 'GET', headers: Array.from({ length: 2000 }, (_, i): [string, string] => [`X-H${i}`, 'v']) }));
  add('a 20 KB cookie', 'reject', request(target, { method: 'GET', headers: [['Cookie', `a=${'c'.repeat(20 * KB)}`]] }));
  add('a 20 KB URL', 'reject', request(target, { method: 'GET', path: `${BASE}/?${'u'.repeat(20 * KB)}` }));
  bad('a header name with a space', `GET ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nBad Header: x\r\nConnection: close\r\n\r\n`);
  bad('a NUL in a header value', `GET ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nX-A: a\0b\r\nConnection: close\r\n\r\n`);
  bad('a bare CR in a header value', `GET ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nX-A: a\rb\r\nConnection: close\r\n\r\n`);
  // Obsolete line folding: Node refuses it, httpd unfolds it.
  add('a folded header line', 'answer', Buffer.from(`GET ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nX-A: a\r\n  folded\r\nConnection: close\r\n\r\n`, 'latin1'));
  bad('a header line without a colon', `GET ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nnocolon\r\nConnection: close\r\n\r\n`);
  bad('no Host in HTTP/1.1', `GET ${BASE}/ HTTP/1.1\r\nConnection: close\r\n\r\n`);
  add('two Host headers (the first counts)', 'answer', Buffer.from(`GET ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`, 'latin1'));
  bad('Content-Length and Transfer-Encoding', `POST ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${target.origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`);
  bad('a bad chunk size', `POST ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${target.origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nstuff=a\r\n0\r\n\r\n`);
  bad('Content-Length not a number', `POST ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${target.origin}\r\nContent-Length: abc\r\nConnection: close\r\n\r\nstuff=a`);
  bad('a negative Content-Length', `POST ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${target.origin}\r\nContent-Length: -5\r\nConnection: close\r\n\r\nstuff=a`);
  bad('two different Content-Lengths', `POST ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${target.origin}\r\nContent-Length: 5\r\nContent-Length: 7\r\nConnection: close\r\n\r\nstuff=a`);
  bad('Transfer-Encoding gzip, not chunked', `POST ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${target.origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nstuff=a`);
  add('Expect: something unknown', 'reject', request(target, { body: valid, headers: [['Expect', '100-something']] }));
  add('Content-Encoding gzip, body not gzip', 'reject', request(target, { body: 'stuff=a&things=', headers: [['Content-Encoding', 'gzip']] }));
  add('Content-Length 1 less than the body', 'reject', request(target, { body: 'stuff=a&things=', contentLength: '14' }));

  // The protocol itself. Node's parser (and httpd) read a few odd request lines leniently, as
  // HTTP/0.9 or 1.1: those may be answered, but never with a 5xx.
  add('HTTP/1.0 GET without Host', 'answer', Buffer.from(`GET ${BASE}/ HTTP/1.0\r\n\r\n`));
  add('HTTP/1.0 GET /health', 'answer', Buffer.from(`GET ${BASE}/health HTTP/1.0\r\n\r\n`));
  add('HTTP/1.0 POST of an invalid form', 'reject', request(target, { version: 'HTTP/1.0', body: 'stuff=&things=', connection: null }));
  add('HTTP/1.0 POST, valid form, foreign Origin', 'reject', request(target, { version: 'HTTP/1.0', origin: 'http://evil.example', body: valid, connection: null }));
  const lenient = (name: string, raw: string) => add(name, 'answer', Buffer.from(raw, 'latin1'));
  lenient('HTTP/0.9', `GET ${BASE}/\r\n\r\n`);
  lenient('HTTP/2.0 in the request line', `GET ${BASE}/ HTTP/2.0\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  lenient('HTTP/1.9', `GET ${BASE}/ HTTP/1.9\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  lenient('HTTP/9.9', `GET ${BASE}/ HTTP/9.9\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  bad('a lowercase method', `get ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  lenient('two spaces in the request line', `GET  ${BASE}/  HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  lenient('no version', `GET ${BASE}/\r\nHost: ${host}\r\n\r\n`);
  bad('the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  bad('binary garbage', Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) % 256)).toString('latin1'));
  bad('a TLS ClientHello', Buffer.from('16030100a5010000a10303', 'hex').toString('latin1') + '\0'.repeat(160));
  bad('a request line of 100 KB', `GET /${'r'.repeat(100 * KB)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  add('an empty line, then close', 'closed', [Buffer.from('\r\n')], { halfClose: true });
  add('half a request line, then close', 'closed', [Buffer.from('GET /kit')], { halfClose: true });
  add('the headers, no end, then close', 'closed', [Buffer.from(`GET ${BASE}/ HTTP/1.1\r\nHost: ${host}\r\n`)], { halfClose: true });
  add('Content-Length 100, 10 bytes, then close', 'closed', [request(target, { body: 'stuff=a&th', contentLength: '100' })], { halfClose: true });
  add('a chunked body without its last chunk, then close', 'closed', [request(target, { contentLength: null, headers: [['Transfer-Encoding', 'chunked']], body: '5\r\nstuff\r\n' })], { halfClose: true });
  add('a slow request: headers byte by byte', 'reject', [...Buffer.from(request(target, { body: 'stuff=&things=' })).subarray(0, 30)].map((c) => Buffer.from([c])).flatMap((c) => [c, 5]).concat([Buffer.from(request(target, { body: 'stuff=&things=' }).subarray(30))]));

  // Pipelining: every request on the connection answered, in order.
  const get = (connection: string | null) => request(target, { method: 'GET', connection });
  add('2 pipelined GETs', 'answer', Buffer.concat([get(null), get('close')]), { responses: 2 });
  add('10 pipelined GETs', 'answer', Buffer.concat([...Array.from({ length: 9 }, () => get(null)), get('close')]), { responses: 10 });
  // After a 400 httpd closes the connection, and Node's parser answers garbage with a 400 and
  // closes before it answers what came first: at least the 4xx, never a 5xx.
  add('an invalid POST, then a GET, pipelined', 'reject', Buffer.concat([request(target, { body: 'stuff=&things=', connection: null }), get('close')]));
  add('a GET, then garbage, pipelined', 'reject', Buffer.concat([get(null), Buffer.from('garbage\r\n\r\n')]));
  add('a text/plain POST, then a GET, pipelined', 'reject', Buffer.concat([request(target, { contentType: 'text/plain', body: 'stuff=a&things=b', connection: null }), get('close')]));

  // The same, as the enhanced form sends them (fetch with x-sveltekit-action): a JSON answer, never an error.
  for (const [contentType, body] of [['text/plain', 'stuff=a&things=b'], ['multipart/form-data; boundary=zz', 'garbage'], ['application/x-www-form-urlencoded', 'stuff=&things='], ['application/json', '{}']] as const) {
    add(`enhanced form post, ${contentType}, ${JSON.stringify(body)}`, 'answer', request(target, { contentType, body, accept: 'application/json', headers: [['x-sveltekit-action', 'true']] }));
  }
  return cases;
}

const STACK_TRACE = /\n\s+at |node:internal|\/work\/|\/node_modules\/|\.(js|ts):\d+:\d+|Internal error/;

/** An answer's text without its markup, shortened: for failure messages. */
function gist(body: string): string {
  const main = /<main[\s\S]*<\/main>/.exec(body)?.[0] ?? body;
  return main.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 160);
}

/** Why an exchange is wrong, or undefined. `exactStatus`: the site answered itself (no httpd in front to answer first). */
function verdict(c: Case, x: RawExchange, exactStatus = true): string | undefined {
  if (x.timedOut) return `no answer within 5 s (hang)`;
  const statuses = x.responses.map((r) => r.status);
  if (statuses.some((s) => s >= 500)) return `a 5xx: ${statuses.join(',')}: ${gist(x.responses.find((r) => r.status >= 500)!.body)}`;
  for (const r of x.responses) if (STACK_TRACE.test(r.body)) return `a stack trace or internal detail in the answer: ${r.body.match(STACK_TRACE)?.[0]}`;
  if (c.expect === 'closed') return statuses.every((s) => s >= 400 && s < 500) ? undefined : `expected a 4xx or a close, got ${statuses.join(',')}`;
  if (statuses.length === 0) return `the connection closed without an answer${x.error ? ` (${x.error})` : ''}`;
  if (c.responses && statuses.length !== c.responses) return `expected ${c.responses} answers, got ${statuses.join(',')}`;
  if (c.expect === 'reject' && !statuses.some((s) => s >= 400 && s < 500)) return `expected a 4xx, got ${statuses.join(',')}`;
  if (exactStatus && c.status && statuses[0] !== c.status) return `expected ${c.status}, got ${statuses.join(',')}`;
  return undefined;
}

async function runAll(cases: Case[], port: number, concurrency = 6): Promise<{ c: Case; x: RawExchange }[]> {
  const results: { c: Case; x: RawExchange }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        results.push({ c, x: await rawExchange(port, c.chunks, { timeoutMs: 5000, halfClose: c.halfClose }) });
      }
    }),
  );
  return results;
}

describe('malformed requests, generated, to the site and through httpd', () => {
  let stack: RenderedStack;
  beforeAll(async () => {
    stack = await startRenderedStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('each one, sent to the site directly, is answered 4xx (or, for lenient input, 2xx/3xx) in time with a plain message; nothing stored; same process', async () => {
    const sitePort = Number(new URL(stack.site.origin).port);
    const before = { rows: await stack.count(), health: await healthOf(stack.site.url) };
    const cases = malformedCases({ port: sitePort, origin: stack.publicOrigin, siteOrigin: stack.site.origin });
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const results = await runAll(cases, sitePort);
    const statuses: Record<string, number> = {};
    for (const { x } of results) for (const key of x.responses.length ? x.responses.map((r) => r.status) : ['closed']) statuses[key] = (statuses[key] ?? 0) + 1;
    console.info(`malformed, direct: ${cases.length} requests; answers ${JSON.stringify(statuses)}; slowest ${Math.round(Math.max(...results.map(({ x }) => x.ms)))} ms`);
    const failures = results.flatMap(({ c, x }) => {
      const why = verdict(c, x);
      return why ? [`${c.name}: ${why}`] : [];
    });
    expect(failures).toEqual([]);
    expect(await stack.count()).toBe(before.rows);
    const after = await healthOf(stack.site.url);
    expect(after.status).toBe(200);
    expect(after.body.app.instance).toBe(before.health.body.app.instance);
    // What it logged through all that, complete once its output has closed.
    const served = stack.site;
    await stack.restartSite();
    expect(served.output()).not.toMatch(/error on |Internal error/);
  });

  it('valid posts with odd characters (undecodable percent-escapes, NUL, control characters, non-BMP) are stored as sent or refused with a 400, never a 5xx', async () => {
    const sitePort = Number(new URL(stack.site.origin).port);
    const before = await stack.count();
    const values = ['%ZZ', '%', '%FF%FE', '%C0%AF', '%ED%A0%80', 'a%00b', '%00', '%01%02%1B', 'tab%09cr%0Dlf%0A', '%F0%9F%98%80', '%EF%BF%BE', '%E2%80%AE%E2%80%8B', '%3Cscript%3E'];
    const results = await runAll(
      values.map((v, i) => ({ name: `stuff=${v}`, expect: 'answer' as const, chunks: [request({ port: sitePort, origin: stack.publicOrigin, siteOrigin: stack.site.origin }, { body: `stuff=odd${i}-${v}&things=odd` })] })),
      sitePort,
    );
    const failures = results.flatMap(({ c, x }) => {
      const why = verdict(c, x) ?? (x.responses[0] && ![303, 400].includes(x.responses[0].status) ? `expected 303 or 400, got ${x.responses[0].status}` : undefined);
      return why ? [`${c.name}: ${why}`] : [];
    });
    expect(failures).toEqual([]);
    const saved = results.filter(({ x }) => x.responses[0]?.status === 303).map(({ c }) => new URLSearchParams(c.name).get('stuff'));
    const rows = (await stack.rows()).filter((r) => r.things === 'odd');
    expect(await stack.count()).toBe(before + saved.length);
    // Stored as the form decoded them, one row per 303.
    expect(rows.map((r) => r.stuff).sort()).toEqual(
      results.filter(({ x }) => x.responses[0]?.status === 303).map(({ c }) => new URLSearchParams(`stuff=odd${values.indexOf(c.name.slice(6))}-${c.name.slice(6)}`).get('stuff')).sort(),
    );
  });

  it('a subset through httpd: 4xx (from httpd or the site), never 5xx, never a hang; nothing stored; same process', async () => {
    const port = stack.apache.port;
    const before = { rows: await stack.count(), health: await healthOf(stack.publicUrl) };
    const all = malformedCases({ port, origin: stack.publicOrigin, siteOrigin: stack.site.origin });
    // Every fifth case, and every one that carries a body over the limit or breaks the framing.
    const subset = all.filter((c, i) => i % 5 === 0 || /bytes|Content-Length|chunk|pipelined|origin/i.test(c.name));
    expect(subset.length).toBeGreaterThanOrEqual(50);
    const results = await runAll(subset, port);
    const failures = results.flatMap(({ c, x }) => {
      const why = verdict(c, x, false);
      return why ? [`${c.name}: ${why}`] : [];
    });
    expect(failures).toEqual([]);
    expect(await stack.count()).toBe(before.rows);
    const after = await healthOf(stack.publicUrl);
    expect(after.body.app.instance).toBe(before.health.body.app.instance);
    // What it logged through all that, complete once its output has closed.
    const served = stack.site;
    await stack.restartSite();
    expect(served.output()).not.toMatch(/error on |Internal error/);
  });
});
