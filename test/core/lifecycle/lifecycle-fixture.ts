import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../main/core/clock.ts';
import { startHub, type RunningHub } from '../../helpers/hub-fixture.ts';
import type { ReceivedRequest } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

/** A clock the test moves by hand (webhook backoff without waiting). */
export class FakeClock implements Clock {
  ms: number;
  constructor(start = Date.parse('2026-05-01T09:00:00Z')) {
    this.ms = start;
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface LifecycleHub extends RunningHub {
  dir: string;
  configFile: string;
  /** An authorised request to the local API. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** POST /lifecycle/events/{event}; the JSON reply. */
  emit: (event: string, data: unknown) => Promise<any>;
}

/** A real hub whose config file (in a temp dir, beside any scripts) holds `toml`. */
export async function startLifecycleHub(
  toml: string,
  options: { env?: NodeJS.ProcessEnv; clock?: Clock; dir?: string; dataDir?: string } = {},
): Promise<LifecycleHub> {
  const dir = options.dir ?? tempDir();
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, toml);
  const running = await startHub({
    configFile,
    ...(options.env ? { env: options.env } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${running.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${running.hub.controlToken}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const emit = async (event: string, data: unknown) => {
    const response = await api(`/lifecycle/events/${event}`, { method: 'POST', body: JSON.stringify(data) });
    const json = await response.json();
    if (response.status !== 200) throw new Error(`emit ${event}: HTTP ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return { ...running, dir, configFile, api, emit };
}

/**
 * What a receiver must check (main/core/lifecycle/webhook-signature.ts), computed here from
 * scratch: the seed's body signature, and the timestamped one.
 */
export function checkSignatures(request: ReceivedRequest, secret: string): { body: boolean; timestamped: boolean } {
  const timestamp = String(request.headers['x-bernstein-timestamp']);
  const body = `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`;
  const timestamped = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`;
  return {
    body: request.headers['x-bernstein-signature'] === body,
    timestamped: request.headers['x-bernstein-signature-v2'] === timestamped,
  };
}
