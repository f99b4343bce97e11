/** A form field's value as its bytes, before any decoding to text; the name as request.formData() reads it. */
export interface RawField {
  name: string;
  value: Uint8Array;
}

const lenient = new TextDecoder();

const AMP = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** WHATWG percent-decoding, with `+` as a space: a `%` not followed by two hex digits stays as it is. */
function percentDecode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === PERCENT && i + 2 < bytes.length) {
      const high = hexDigit(bytes[i + 1]!);
      const low = hexDigit(bytes[i + 2]!);
      if (high >= 0 && low >= 0) {
        out[n++] = high * 16 + low;
        i += 2;
        continue;
      }
    }
    out[n++] = byte === PLUS ? 0x20 : byte;
  }
  return out.subarray(0, n);
}

/**
 * The fields of an application/x-www-form-urlencoded body, split and percent-decoded as the WHATWG
 * URL standard does (and so as request.formData() does), the values not yet turned into text.
 */
export function urlencodedFields(body: Uint8Array): RawField[] {
  const fields: RawField[] = [];
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(AMP, start);
    if (end < 0) end = body.length;
    if (end > start) {
      const pair = body.subarray(start, end);
      const eq = pair.indexOf(EQUALS);
      const name = eq < 0 ? pair : pair.subarray(0, eq);
      const value = eq < 0 ? new Uint8Array(0) : pair.subarray(eq + 1);
      fields.push({ name: lenient.decode(percentDecode(name)), value: percentDecode(value) });
    }
    start = end + 1;
  }
  return fields;
}
