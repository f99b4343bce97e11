import { multipartFields } from './multipart-fields.js';
import { urlencodedFields, type RawField } from './urlencoded-fields.js';

const strict = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

function rawFields(contentType: string, body: Uint8Array): RawField[] {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return urlencodedFields(body);
  const boundary = type === 'multipart/form-data' ? boundaryOf(contentType) : undefined;
  return boundary ? multipartFields(body, boundary) : [];
}

/**
 * The names of the form's fields whose value is not valid UTF-8. request.formData() decodes
 * leniently (each bad sequence becomes U+FFFD, silently), so the bytes are checked here.
 */
export function fieldsNotUtf8(contentType: string, body: Uint8Array): Set<string> {
  const names = new Set<string>();
  for (const field of rawFields(contentType, body)) if (!isUtf8(field.value)) names.add(field.name);
  return names;
}
