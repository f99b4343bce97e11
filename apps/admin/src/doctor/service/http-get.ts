import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export type HttpResult = { ok: true; answer: HttpAnswer } | { ok: false; code: string; message: string };

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** connect over this unix socket instead of the URL's host */
  socketPath?: string;
  timeoutMs: number;
}

/**
 * One HTTP request with a hard timeout. Any certificate on the public URL is accepted here: this
 * checks the path through httpd, and https.certificate judges the certificate on its own.
 */
export function httpFetch(req: HttpRequest): Promise<HttpResult> {
  return new Promise((resolve) => {
    const url = new URL(req.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(
      {
        method: req.method ?? 'GET',
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: { accept: 'application/json, text/html', ...req.headers },
        ...(req.socketPath ? { socketPath: req.socketPath } : {}),
        ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
        timeout: req.timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d.length + body.length > 1_000_000 ? '' : d));
        res.on('end', () => resolve({ ok: true, answer: { status: res.statusCode ?? 0, body, headers: res.headers } }));
      },
    );
    r.on('timeout', () => {
      r.destroy(Object.assign(new Error(`no answer within ${req.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    r.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, code: error.code ?? 'ERROR', message: error.message }));
    if (req.body) r.write(req.body);
    r.end();
  });
}
