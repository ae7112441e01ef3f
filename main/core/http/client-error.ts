import { maxHeaderSize, STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

// Requests Node's HTTP parser refuses (a bad method, a raw space in the path, oversized or
// invalid headers, Content-Length with Transfer-Encoding, binary garbage) never reach a handler:
// Node answers them itself, with an empty body. The API and the hook listeners answer them in
// their own JSON instead, through the server's 'clientError' event.

export type ClientError = Error & { code?: string; reason?: string };

/** Status, a short code and a message for a request the parser refused. */
export function describeClientError(error: ClientError): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'headers_too_large',
        message: `request headers are larger than ${maxHeaderSize} bytes`,
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'chunk_extensions_too_large', message: 'chunk extensions are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request was not received in time' };
    default:
      return {
        status: 400,
        code: 'malformed_request',
        message: `malformed HTTP request: ${error.reason ?? error.message}`,
      };
  }
}

/**
 * Writes the JSON answer `body` builds, then closes the connection (the parser cannot go on).
 * Only when the socket can still take a response and none has begun on it, as Node's own
 * handler does; otherwise the socket is just closed.
 */
export function answerClientError(
  error: ClientError,
  socket: Socket,
  body: (problem: ReturnType<typeof describeClientError>) => unknown,
): void {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const problem = describeClientError(error);
  const text = JSON.stringify(body(problem));
  const head = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
  ];
  socket.write(`${head.join('\r\n')}\r\n\r\n${text}`, () => socket.destroy());
}
