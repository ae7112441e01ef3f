/** The words to show for a failed call (the hub's message when it sent one). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
