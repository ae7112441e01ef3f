import autocannon, { type Result } from 'autocannon';

export interface LoadSettings {
  connections: number;
  warmUpSeconds: number;
  seconds: number;
  method: 'POST' | 'GET';
  path: string;
  body?: string;
}

export interface LoadResult {
  /** Mean of the per-second samples, as autocannon reports it. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** 2xx responses in the measured run. */
  ok: number;
  /** 2xx responses during the warm-up (they hit the server too, e.g. they are stored). */
  warmUpOk: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Requests that may have been in flight when either run stopped (at most one per connection). */
  maxInFlightAtStop: number;
}

function cannon(url: string, settings: LoadSettings, seconds: number): Promise<Result> {
  return Promise.resolve(
    autocannon({
      url: new URL(settings.path, url).href,
      connections: settings.connections,
      pipelining: 1,
      duration: seconds,
      timeout: 10,
      method: settings.method,
      headers: settings.body === undefined ? {} : { 'content-type': 'application/json' },
      ...(settings.body === undefined ? {} : { body: settings.body }),
    }),
  );
}

/** A warm-up (JIT, caches, SQLite pages) and then the measured run, with the same settings. */
export async function loadServer(url: string, settings: LoadSettings): Promise<LoadResult> {
  const warmUp = await cannon(url, settings, settings.warmUpSeconds);
  const run = await cannon(url, settings, settings.seconds);
  return {
    requestsPerSecond: run.requests.average,
    p50Ms: run.latency.p50,
    p99Ms: run.latency.p99,
    maxMs: run.latency.max,
    ok: run['2xx'],
    warmUpOk: warmUp['2xx'],
    non2xx: run.non2xx + warmUp.non2xx,
    errors: run.errors + warmUp.errors,
    timeouts: run.timeouts + warmUp.timeouts,
    maxInFlightAtStop: 2 * settings.connections,
  };
}
