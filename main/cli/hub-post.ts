import { connect } from 'node:net';

// One POST to the local hub over a plain socket, for the agent hook command. fetch loads undici
// and node:http its parser and agent: either took longer than the rest of the hook together (about
// 40 and 10 ms of CPU per call, measured with --cpu-prof; bench/sections/agent-hook.ts). The peer
// is always our own hub on 127.0.0.1, answering one request per connection with a Content-Length
// (or chunked) body, so the little HTTP/1.1 needed is written here.

export interface HubReply {
  status: number;
  body: string;
}

export class HubUnreachableError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'HubUnreachableError';
    this.code = code;
  }
}

const HEADER_END = Buffer.from('\r\n\r\n');

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error('truncated chunked body');
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Reads an HTTP/1.1 response (the whole of it, as the server closed the connection). */
export function parseHttpResponse(raw: Buffer): HubReply {
  const headerEnd = raw.indexOf(HEADER_END);
  if (headerEnd < 0) throw new Error('incomplete HTTP response');
  const [statusLine = '', ...headerLines] = raw.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (!status) throw new Error(`not an HTTP response: ${statusLine.slice(0, 60)}`);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.subarray(headerEnd + HEADER_END.length);
  if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) body = decodeChunked(body);
  else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (body.length < length) throw new Error('truncated HTTP response');
    body = body.subarray(0, length);
  }
  return { status: Number(status), body: body.toString('utf8') };
}

/** POSTs `body` (JSON text) to http://host:port/path and resolves with the reply; rejects with HubUnreachableError. */
export function postToHub(
  target: { host: string; port: number; path: string; token?: string | undefined; timeoutMs: number },
  body: string,
): Promise<HubReply> {
  const { host, port, path, token, timeoutMs } = target;
  const payload = Buffer.from(body, 'utf8');
  const head =
    `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n` +
    `${token ? `Authorization: Bearer ${token}\r\n` : ''}\r\n`;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port, noDelay: true });
    const fail = (message: string, code?: string) => {
      socket.destroy();
      reject(new HubUnreachableError(message, code));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer from http://${host}:${port} in ${timeoutMs} ms`, 'ETIMEDOUT'));
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload])));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ECONNREFUSED'
          ? `Hookbox is not running (nothing answers on http://${host}:${port})`
          : `cannot reach Hookbox at http://${host}:${port}: ${error.code ?? error.message}`,
        error.code,
      ),
    );
    socket.on('end', () => {
      socket.destroy();
      try {
        resolve(parseHttpResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(new HubUnreachableError(`http://${host}:${port} answered: ${(error as Error).message}`, 'EPROTO'));
      }
    });
  });
}
