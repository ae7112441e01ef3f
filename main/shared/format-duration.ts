// How every part of Hookbox words a duration: notifications, the CLI's tables and the window.
// Plain code with no import, so the renderer may take it as it takes the contract's types.

/** "400 ms", "4.2 s" (one decimal under 10 s), "45 s", "1m 5s", "2h 3m". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  const seconds = ms / 1_000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const totalSeconds = Math.round(seconds);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  return hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m ${totalSeconds % 60}s`;
}
