import { closeSync, openSync, readSync, statSync } from 'node:fs';

// The agent's last message from its transcript (JSONL: Claude Code's, and Codex's and Gemini's
// where they keep the same shape), for stop events that do not carry it.

const TRANSCRIPT_TAIL_BYTES = 1024 * 1024;

/**
 * Claude's last message from the transcript (JSONL), for Claude Code versions whose Stop input
 * has no last_assistant_message. Reads the last megabyte at most; null when there is none.
 */
export function lastAssistantMessage(transcriptPath: string): string | null {
  let fd: number | undefined;
  try {
    const size = statSync(transcriptPath).size;
    const length = Math.min(size, TRANSCRIPT_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fd = openSync(transcriptPath, 'r');
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').reverse();
    for (const line of lines) {
      if (!line.trim().startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as { type?: string; message?: { role?: string; content?: unknown } };
        if (entry.type !== 'assistant' && entry.message?.role !== 'assistant') continue;
        const content = entry.message?.content;
        const text =
          typeof content === 'string'
            ? content
            : Array.isArray(content)
              ? content
                  .filter((c: { type?: string }) => c?.type === 'text')
                  .map((c: { text?: string }) => c.text ?? '')
                  .join('\n')
              : '';
        if (text.trim() !== '') return text;
      } catch {
        // A partial first line of the tail, or not JSON.
      }
    }
    return null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
