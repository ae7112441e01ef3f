// Injected wherever time decides behaviour (received_at, thresholds, retention), so tests can
// pin it instead of sleeping.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
