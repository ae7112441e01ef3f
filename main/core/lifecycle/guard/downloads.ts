// Code downloaded from the network: which programs fetch, what files they save to, and whether a
// command line downloads. The safety guard blocks running what a line downloads in the same line.

import { parseShell } from './shell-parser.ts';
import { basename, coreArgv, programName } from './wrappers.ts';

// Programs that fetch from the network (and print it, or save it with -o / -O).
const FETCHERS = new Set(['curl', 'wget', 'wget2', 'fetch', 'http', 'https', 'xh', 'xhs', 'lwp-request', 'GET']);
/** How deep fetches() looks into nested substitutions. */
const MAX_NESTING = 8;

export const DOWNLOAD_REASON = 'runs code downloaded from the network';

export function isFetcher(argv: string[]): boolean {
  return argv.length > 0 && FETCHERS.has(programName(argv[0]!) ?? '');
}

/** Whether a command line (or a substitution in it) downloads: its output is network data. */
export function fetches(script: string, depth = 0): boolean {
  if (depth > MAX_NESTING) return false;
  let parsed;
  try {
    parsed = parseShell(script);
  } catch {
    return false;
  }
  return (
    parsed.pipelines.some((p) => p.commands.some((c) => isFetcher(coreArgv(c.words.map((w) => w.text))))) ||
    parsed.substitutions.some((inner) => fetches(inner, depth + 1))
  );
}

/** The files a download saves to: curl -o F / -O (the URL's name), wget's URL name or -O F, -o F. */
export function downloadTargets(argv: string[]): string[] {
  const program = basename(argv[0]!);
  const args = argv.slice(1);
  const files: string[] = [];
  const urlName = (url: string): string => {
    try {
      return new URL(url).pathname.split('/').pop() ?? '';
    } catch {
      return '';
    }
  };
  const urls = args.filter((a) => /^[a-z][a-z0-9+.-]*:\/\//i.test(a));
  const wget = program.startsWith('wget');
  let remote = wget;
  let prefix = '';
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    const long = /^(--[^=]+)(?:=(.*))?$/.exec(a);
    if (long) {
      const value = () => long[2] ?? args[++i] ?? '';
      if (long[1] === '--output' || long[1] === '--output-document') {
        const file = value();
        if (file !== '-') files.push(file);
        remote = false;
      } else if (long[1] === '--remote-name' || long[1] === '--remote-name-all' || long[1] === '--download')
        remote = true;
      else if (long[1] === '--directory-prefix') prefix = value();
      continue;
    }
    if (!/^-[A-Za-z0-9]/.test(a)) continue;
    // Short options: the output file follows -o (curl, httpie) or -O (wget); curl -O and
    // httpie -d save under the URL's name; other letters that take a value end the cluster.
    const output = wget ? 'O' : 'o';
    const valued = wget ? 'oaPeiBtTwQUlDARIX' : 'XHduAebcxwTFKmrEYyzCDQ';
    for (let k = 1; k < a.length; k += 1) {
      const ch = a[k]!;
      const rest = a.slice(k + 1);
      if (ch === output) {
        const file = rest !== '' ? rest : (args[++i] ?? '');
        if (file !== '-') files.push(file);
        remote = false;
        break;
      }
      if (!wget && (ch === 'O' || (program !== 'curl' && ch === 'd'))) remote = true;
      if (valued.includes(ch)) {
        const value = rest !== '' ? rest : (args[++i] ?? '');
        if (wget && ch === 'P') prefix = value;
        break;
      }
    }
  }
  if (remote)
    for (const url of urls) files.push(`${prefix ? `${prefix}/` : ''}${urlName(url) || (wget ? 'index.html' : '')}`);
  return files.filter((f) => f !== '' && !f.endsWith('/'));
}
