// output-truncator and followup-creator: pure functions over the text of a response or tool output.

/** Cuts `text` to at most `maxBytes` bytes of content, keeping the head and the tail around a marker. */
export function truncateOutput(
  text: string,
  maxBytes: number,
): { text: string; truncated: boolean; originalBytes: number; omittedBytes: number } {
  const buffer = Buffer.from(text, 'utf8');
  const originalBytes = buffer.length;
  if (originalBytes <= maxBytes) return { text, truncated: false, originalBytes, omittedBytes: 0 };
  let headEnd = Math.floor(maxBytes / 2);
  let tailStart = originalBytes - (maxBytes - headEnd);
  // Never cut a UTF-8 character in two: a continuation byte is 10xxxxxx.
  while (headEnd > 0 && (buffer[headEnd]! & 0xc0) === 0x80) headEnd -= 1;
  while (tailStart < originalBytes && (buffer[tailStart]! & 0xc0) === 0x80) tailStart += 1;
  const omittedBytes = tailStart - headEnd;
  const marker = `\n[… output truncated by hookbox: ${omittedBytes} of ${originalBytes} bytes omitted …]\n`;
  return {
    text: `${buffer.subarray(0, headEnd).toString('utf8')}${marker}${buffer.subarray(tailStart).toString('utf8')}`,
    truncated: true,
    originalBytes,
    omittedBytes,
  };
}

export const FOLLOWUP_KINDS = ['todo', 'fixme', 'still-need-to', 'remaining', 'left-to-do'] as const;
export type FollowupKind = (typeof FOLLOWUP_KINDS)[number];

export interface FollowupItem {
  kind: FollowupKind;
  text: string;
}

const MAX_FOLLOWUPS = 20;
const MAX_ITEM_CHARS = 500;
const BULLET = /^\s*(?:[-*+•]|\d+[.)])\s+(.*)$/;
const MARKERS: Array<{ kind: FollowupKind; pattern: RegExp; list: boolean }> = [
  { kind: 'todo', pattern: /\bTODO:\s*(.*)$/i, list: false },
  { kind: 'fixme', pattern: /\bFIXME:\s*(.*)$/i, list: false },
  { kind: 'remaining', pattern: /\bremaining:\s*(.*)$/i, list: true },
  { kind: 'left-to-do', pattern: /\bleft to do:\s*(.*)$/i, list: true },
  { kind: 'still-need-to', pattern: /^(.*\bstill need to\b.*)$/i, list: false },
];

function clean(text: string): string {
  const t = text
    .trim()
    .replace(/^[-*+•]\s+/, '')
    .replace(/\s+/g, ' ');
  return t.length > MAX_ITEM_CHARS ? `${t.slice(0, MAX_ITEM_CHARS - 1)}…` : t;
}

/**
 * Lines of a response that say work is left: `TODO:` / `FIXME:` lines, sentences with "still
 * need to", and "Remaining:" / "Left to do:" followed by text or by a bullet list (each bullet is
 * one item). Duplicates are dropped; at most 20 items.
 */
export function extractFollowups(response: string): FollowupItem[] {
  const items: FollowupItem[] = [];
  const seen = new Set<string>();
  const add = (kind: FollowupKind, text: string) => {
    const t = clean(text);
    if (t === '' || seen.has(t.toLowerCase()) || items.length >= MAX_FOLLOWUPS) return;
    seen.add(t.toLowerCase());
    items.push({ kind, text: t });
  };
  const lines = response.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const marker = MARKERS.map((m) => ({ m, match: m.pattern.exec(line) })).find((x) => x.match);
    if (!marker) continue;
    const rest = marker.match![1] ?? '';
    if (marker.m.list && rest.trim() === '') {
      // "Remaining:" heading: the bullets under it are the items.
      for (let j = i + 1; j < lines.length; j += 1) {
        const bullet = BULLET.exec(lines[j]!);
        if (!bullet) {
          if (lines[j]!.trim() === '' && j === i + 1) continue;
          break;
        }
        add(marker.m.kind, bullet[1]!);
        i = j;
      }
      continue;
    }
    add(marker.m.kind, rest);
  }
  return items;
}
