import { ErrorCode, HookboxError } from '../errors.ts';
import { runAsCurl } from './copy-as-curl.ts';
import type { HookManager } from './hook-manager.ts';
import { maskHeaders, runReason, type HookRun, type HookRunStore, type HookRunSummary } from './hook-run-store.ts';

// What a user can do with a recorded hook run, shared by the HTTP routes (/hooks/runs/…) and the
// window's contract, so both show, replay and copy a run the same way.

/** A run as shown: secret headers masked, the body as text (base64 when it is not UTF-8). */
export interface HookRunDetail extends HookRunSummary {
  headers: Record<string, string>;
  body: string;
  body_encoding: 'utf8' | 'base64';
  stdout: string;
  stderr: string;
}

export interface ReplayResult {
  run_id: string;
  status: number;
  replay_of: string;
}

export function findRun(runs: HookRunStore, id: string): HookRun {
  const run = runs.find(id);
  if (!run) throw new HookboxError(ErrorCode.NotFound, `no hook run with id ${id}`);
  return run;
}

function bodyText(body: Buffer): { body: string; body_encoding: 'utf8' | 'base64' } {
  const text = body.toString('utf8');
  return Buffer.from(text, 'utf8').equals(body)
    ? { body: text, body_encoding: 'utf8' }
    : { body: body.toString('base64'), body_encoding: 'base64' };
}

export function runDetail(run: HookRun): HookRunDetail {
  const { body, headers, ...rest } = run;
  return { ...rest, reason: runReason(run), headers: maskHeaders(headers), ...bodyText(body) };
}

/** The run as a curl command aimed at its hook's listener (secrets masked unless `reveal`). */
export function runCurl(hooks: HookManager, run: HookRun, reveal = false): string {
  const target = hooks.target(run.hook);
  if (!target)
    throw new HookboxError(ErrorCode.Conflict, `hook '${run.hook}' is no longer configured; no address to aim curl at`);
  return runAsCurl(run, target, { reveal });
}

/** Runs the recorded request through the hook again; the new run records which it replays. */
export async function replayRun(hooks: HookManager, run: HookRun): Promise<ReplayResult> {
  if (run.body_truncated)
    throw new HookboxError(
      ErrorCode.Conflict,
      `run ${run.id} cannot be replayed: its body (${run.body_size} bytes) was truncated when recorded`,
    );
  const replayed = hooks.replay(run.hook, {
    method: run.method,
    path: run.path,
    query: run.query,
    headers: run.headers,
    body: run.body,
    bodyTooLarge: false,
    sourceAddress: 'replay',
    replayOf: run.id,
  });
  if (!replayed) throw new HookboxError(ErrorCode.Conflict, `hook '${run.hook}' is not listening now; cannot replay`);
  const response = await replayed;
  return { run_id: response.runId, status: response.status, replay_of: run.id };
}
