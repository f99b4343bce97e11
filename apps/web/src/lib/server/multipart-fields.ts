import type { RawField } from './urlencoded-fields.js';

const lenient = new TextDecoder();
const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/** The name in a part's Content-Disposition, unless the part is a file (has a filename). */
function fieldName(headers: string): string | undefined {
  const disposition = /^content-disposition:\s*form-data\s*(;.*)$/im.exec(headers)?.[1];
  if (disposition === undefined || /;\s*filename\*?\s*=/i.test(disposition)) return undefined;
  const name = /;\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i.exec(disposition);
  return name ? (name[1] ?? name[2]) : undefined;
}

/**
 * The text fields of a multipart/form-data body (RFC 7578), each value as its bytes; file parts are
 * left out. A body that breaks off yields the fields before the break: request.formData() is the
 * judge of whether the body is a form at all.
 */
export function multipartFields(body: Uint8Array, boundary: string): RawField[] {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.concat([CRLF, delimiter]);
  const fields: RawField[] = [];
  let at = bytes.subarray(0, delimiter.length).equals(delimiter) ? 0 : bytes.indexOf(nextDelimiter);
  if (at > 0) at += CRLF.length;
  while (at >= 0) {
    const afterDelimiter = at + delimiter.length;
    if (bytes[afterDelimiter] === 0x2d && bytes[afterDelimiter + 1] === 0x2d) break; // the closing delimiter
    const lineEnd = bytes.indexOf(CRLF, afterDelimiter);
    if (lineEnd < 0) break;
    const headersEnd = bytes.indexOf(HEADERS_END, lineEnd);
    if (headersEnd < 0) break;
    const contentStart = headersEnd + HEADERS_END.length;
    const contentEnd = bytes.indexOf(nextDelimiter, contentStart);
    if (contentEnd < 0) break;
    const name = fieldName(lenient.decode(bytes.subarray(lineEnd + CRLF.length, headersEnd)));
    if (name !== undefined) fields.push({ name, value: bytes.subarray(contentStart, contentEnd) });
    at = contentEnd + CRLF.length;
  }
  return fields;
}
