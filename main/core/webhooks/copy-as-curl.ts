import type { HookRun } from './hook-run-store.ts';
import { maskHeaders } from './hook-run-store.ts';
import { shellQuote as quote } from '../util/shell-words.ts';

// Headers curl sets itself or that describe the old connection.
const SKIPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'accept-encoding']);

/** bash/zsh $'…' so any byte (newlines, NUL-free binary) survives a copy and paste. */
function ansiQuote(body: Buffer): string {
  let out = "$'";
  for (const byte of body) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x27) out += "\\'";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

/**
 * The run as a curl command aimed at the hook's listener. Secret headers are masked unless
 * `reveal` (the user asked for a command that really works against a signed hook).
 */
export function runAsCurl(
  run: HookRun,
  target: { host: string; port: number },
  options: { reveal?: boolean } = {},
): string {
  const host =
    target.host === '0.0.0.0' || target.host === '::'
      ? '127.0.0.1'
      : target.host.includes(':')
        ? `[${target.host}]`
        : target.host;
  const url = `http://${host}:${target.port}${run.path}${run.query ? `?${run.query}` : ''}`;
  const headers = options.reveal ? run.headers : maskHeaders(run.headers);
  const parts = ['curl', '-X', run.method, quote(url)];
  for (const [name, value] of Object.entries(headers)) {
    if (!SKIPPED.has(name)) parts.push('-H', quote(`${name}: ${value}`));
  }
  if (run.body.length > 0) parts.push('--data-binary', ansiQuote(run.body));
  return parts.join(' ');
}
