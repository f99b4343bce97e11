import { connect } from 'node:net';

/** One HTTP response as read off the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  responses: RawResponse[];
  /** the server closed the connection (as asked by `Connection: close`, or on its own) */
  closed: boolean;
  /** no close within the bound: a hang */
  timedOut: boolean;
  /** a write or read failed (e.g. a reset after an early answer) */
  error?: string;
  ms: number;
  /** the first bytes received, for messages */
  head: string;
}

/**
 * Sends `chunks` over a fresh loopback connection (a chunk may be a pause, in ms), optionally
 * half-closes, and reads until the server closes the connection or `timeoutMs` passes.
 */
export function rawExchange(port: number, chunks: (Buffer | number)[], options: { timeoutMs?: number; halfClose?: boolean | undefined } = {}): Promise<RawExchange> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const start = performance.now();
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (closed: boolean, timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(received);
      resolve({ responses: parseResponses(data), closed, timedOut, ...(error ? { error } : {}), ms: performance.now() - start, head: data.subarray(0, 200).toString('latin1') });
    };
    const timer = setTimeout(() => finish(false, true), timeoutMs);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => finish(true, false));
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else await new Promise<void>((r) => socket.write(chunk, () => r()));
      }
      if (options.halfClose && !socket.destroyed) socket.end();
    });
  });
}

/** Parses consecutive HTTP/1.x responses (Content-Length, chunked, or to the end). */
export function parseResponses(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine, ...lines] = data.subarray(at, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine ?? '')?.[1];
    if (!status) break;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let bodyStart = end + 4;
    let body: Buffer;
    const numericStatus = Number(status);
    if (numericStatus === 100 || numericStatus === 101 || numericStatus === 204 || numericStatus === 304) {
      body = Buffer.alloc(0);
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf('\r\n', bodyStart);
        if (lineEnd < 0) {
          bodyStart = data.length;
          break;
        }
        const size = parseInt(data.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        bodyStart = lineEnd + 2;
        if (!size) {
          bodyStart += 2;
          break;
        }
        parts.push(data.subarray(bodyStart, bodyStart + size));
        bodyStart += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      body = data.subarray(bodyStart, bodyStart + Number(headers['content-length']));
      bodyStart += body.length;
    } else {
      body = data.subarray(bodyStart);
      bodyStart = data.length;
    }
    responses.push({ status: numericStatus, headers, body: body.toString('utf8') });
    at = bodyStart;
  }
  return responses;
}
