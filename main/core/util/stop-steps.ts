import type { Logger } from 'pino';

// Stopping a hub is a list of steps in order (stop taking requests, let work in flight finish,
// flush, close the database). One list serves both a start that failed half-way (each step skips
// what was never started) and stop(). The whole list has one deadline, as HTTP Toolkit's shutdown
// handlers do: a step that is still running when its share of time is up is logged by name and
// left behind, and the next steps run, so one stuck part never keeps the process from stopping.

export interface StopStep {
  name: string;
  run: () => unknown;
}

/** Even past the deadline, each remaining step gets this long (a flush or a close is quick). */
const STEP_FLOOR_MS = 100;

/** Runs the steps one after the other within `deadlineMs`; resolves once each has finished or timed out. */
export async function runStopSteps(
  steps: readonly StopStep[],
  options: { deadlineMs: number; logger: Logger },
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs;
  const failed = (step: StopStep, error: unknown) =>
    options.logger.error({ err: error, step: step.name }, `stopping: ${step.name} failed: ${(error as Error).message}`);
  for (const step of steps) {
    // Settles either way: a step left behind that fails later is logged, never an unhandled rejection.
    const work = Promise.resolve()
      .then(step.run)
      .then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), Math.max(STEP_FLOOR_MS, deadline - Date.now()));
    });
    const outcome = await Promise.race([work, timeout]);
    clearTimeout(timer);
    if (outcome === 'timed out') {
      options.logger.warn(
        { step: step.name },
        `stopping: ${step.name} did not finish within the ${options.deadlineMs / 1000} s shutdown deadline; going on without it`,
      );
      void work.then((late) => {
        if (!late.ok) failed(step, late.error);
      });
    } else if (!outcome.ok) failed(step, outcome.error);
  }
}
