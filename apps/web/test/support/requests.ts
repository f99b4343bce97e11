/** What a browser without JavaScript sends for a form post: a same-origin Origin, HTML accepted. */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: new URL(url).origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A form post of exactly these bytes, as a client that does not encode its text as UTF-8 sends it. */
export async function postBytes(url: string, contentType: string, body: Buffer): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: new URL(url).origin, accept: 'text/html', 'content-type': contentType },
    body: new Uint8Array(body),
  });
}

export async function getHtml(url: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string; setCookie: string[] }> {
  const response = await fetch(url, { headers: { accept: 'text/html', ...headers } });
  return { status: response.status, html: await response.text(), setCookie: response.headers.getSetCookie() };
}

/** The cookies a response sets, as a Cookie header sends them back (name=value; …). */
export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
}

/** The value of the form's field as the page re-rendered it (inputs keep what the user typed). */
export function fieldValue(html: string, name: 'stuff' | 'things'): string | undefined {
  const raw =
    name === 'stuff'
      ? /<input[^>]*name="stuff"[^>]*value="([^"]*)"/.exec(html)?.[1]
      : /<textarea[^>]*name="things"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1];
  return raw === undefined ? undefined : decodeEntities(raw);
}

/** The form's hidden submission token as the page rendered it. */
export function submissionToken(html: string): string | undefined {
  return /<input[^>]*name="submission"[^>]*value="([^"]*)"/.exec(html)?.[1];
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}
