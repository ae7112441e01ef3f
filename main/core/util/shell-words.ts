// Words for a POSIX shell (sh, bash, zsh) command line, for every place Hookbox writes one: the
// shell integration scripts, git hooks, copy-as-curl, Claude Code's hook command, log hints.

/** Single-quoted: nothing inside is interpreted. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** As is when the shell reads it back unchanged, single-quoted otherwise (easier to read). */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : shellQuote(word);
}
