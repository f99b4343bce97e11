import { describe, expect, it } from 'vitest';
import { fieldsNotUtf8 } from './form-utf8.js';
import { multipartFields } from './multipart-fields.js';
import { urlencodedFields } from './urlencoded-fields.js';

const URLENCODED = 'application/x-www-form-urlencoded';
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const lenient = new TextDecoder();

function multipart(boundary: string, parts: { disposition: string; content: string | number[] }[]): Buffer {
  return bytes(...parts.flatMap((p) => [`--${boundary}\r\nContent-Disposition: form-data; ${p.disposition}\r\n\r\n`, p.content, '\r\n']), `--${boundary}--\r\n`);
}

describe('urlencodedFields', () => {
  it.each(['stuff=a+b&things=%E2%82%AC', 'a&&b=&=c&d==e', '%zz=%2&x=%', 'st%75ff=1&stuff=2', ''])(
    'splits and percent-decodes %j as request.formData() does',
    async (body) => {
      const ours = urlencodedFields(bytes(body)).map((f) => [f.name, lenient.decode(f.value)]);
      const theirs = [...(await new Response(body, { headers: { 'content-type': URLENCODED } }).formData()).entries()];
      expect(ours).toEqual(theirs);
    },
  );
});

describe('multipartFields', () => {
  it('gives each text part its bytes, skips files, and matches request.formData() on the rest', async () => {
    const body = multipart('b0undary', [
      { disposition: 'name="stuff"', content: 'line 1\r\nline 2' },
      { disposition: 'name="upload"; filename="x.txt"', content: 'file' },
      { disposition: 'name=things', content: [0xe2, 0x82, 0xac] },
      { disposition: 'name="empty"', content: '' },
    ]);
    const ours = multipartFields(body, 'b0undary').map((f) => [f.name, lenient.decode(f.value)]);
    expect(ours).toEqual([['stuff', 'line 1\r\nline 2'], ['things', '€'], ['empty', '']]);
    const theirs = await new Response(new Uint8Array(body), { headers: { 'content-type': 'multipart/form-data; boundary=b0undary' } }).formData();
    expect(ours.map(([name]) => [name, theirs.get(name!)])).toEqual(ours);
  });

  it('stops where a body breaks off, keeping the fields before', () => {
    const body = multipart('zz', [{ disposition: 'name="stuff"', content: 'a' }, { disposition: 'name="things"', content: 'b' }]);
    expect(multipartFields(body.subarray(0, body.indexOf('b\r\n--zz--')), 'zz').map((f) => f.name)).toEqual(['stuff']);
  });
});

describe('fieldsNotUtf8', () => {
  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['Latin-1 é', [0xe9]],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('names the field holding %s, percent-encoded, raw, or in a multipart part', (_what, bad) => {
    const hex = bad.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    expect(fieldsNotUtf8(URLENCODED, bytes(`stuff=ok&things=x${hex}y`))).toEqual(new Set(['things']));
    expect(fieldsNotUtf8(`${URLENCODED}; charset=utf-8`, bytes('stuff=', bad, '&things=ok'))).toEqual(new Set(['stuff']));
    const body = multipart('kdt', [{ disposition: 'name="stuff"', content: 'ok' }, { disposition: 'name="things"', content: bad }]);
    expect(fieldsNotUtf8('multipart/form-data; boundary="kdt"', body)).toEqual(new Set(['things']));
  });

  it('accepts every valid UTF-8 text, U+FFFD itself included, and a % that encodes nothing', () => {
    const text = 'Grüße 👩🏽‍💻 � 100%';
    expect(fieldsNotUtf8(URLENCODED, bytes(new URLSearchParams({ stuff: text, things: '%zz' }).toString(), '&raw=', text))).toEqual(new Set());
    const body = multipart('kdt', [{ disposition: 'name="stuff"', content: text }]);
    expect(fieldsNotUtf8('multipart/form-data; boundary=kdt', body)).toEqual(new Set());
  });

  it('ignores file parts and other content types, whose bytes are not text', () => {
    const body = multipart('kdt', [{ disposition: 'name="stuff"; filename="a.bin"', content: [0xff] }]);
    expect(fieldsNotUtf8('multipart/form-data; boundary=kdt', body)).toEqual(new Set());
    expect(fieldsNotUtf8('text/plain', bytes('stuff=%FF'))).toEqual(new Set());
  });
});
