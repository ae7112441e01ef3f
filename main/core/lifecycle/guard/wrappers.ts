// The wrapper table: programs that run another program given as their arguments (sudo, env, nice,
// nohup, time, timeout, xargs …), and how to find that program behind their own options. The
// safety guard checks what a wrapper runs as it checks the wrapper; the notification rules
// (notify/notification-rules.ts) look through wrappers for the program a shell command ran.

/** Options of a wrapper program: which take a value, and how many operands come before the command. */
export interface WrapperSpec {
  values: ReadonlySet<string>;
  operands?: number;
  /** Keep skipping KEY=VALUE words before the command (as env does). */
  assignments?: boolean;
  /** Options whose value is a command line the wrapper runs itself (env -S, flock -c). */
  commandLine?: readonly string[];
  /** Options with which the wrapper runs nothing, only looks the program up (command -v). */
  lookupOnly?: readonly string[];
}

const WRAPPERS: Record<string, WrapperSpec> = {
  sudo: {
    values: new Set([
      '-u',
      '-g',
      '-C',
      '-h',
      '-p',
      '-r',
      '-t',
      '-U',
      '-D',
      '-R',
      '-T',
      '--user',
      '--group',
      '--chdir',
      '--prompt',
    ]),
  },
  doas: { values: new Set(['-u', '-C']) },
  env: {
    values: new Set(['-u', '-C', '--unset', '--chdir']),
    assignments: true,
    commandLine: ['-S', '--split-string'],
  },
  nohup: { values: new Set() },
  setsid: { values: new Set() },
  time: { values: new Set(['-o', '-f', '--output', '--format']) },
  nice: { values: new Set(['-n', '--adjustment']) },
  ionice: { values: new Set(['-c', '-n', '-p', '-P', '-u', '--class', '--classdata']) },
  timeout: { values: new Set(['-s', '-k', '--signal', '--kill-after']), operands: 1 },
  stdbuf: { values: new Set(['-i', '-o', '-e', '--input', '--output', '--error']) },
  chroot: { values: new Set(['--userspec', '--groups']), operands: 1 },
  exec: { values: new Set(['-a']) },
  command: { values: new Set(), lookupOnly: ['-v', '-V'] },
  builtin: { values: new Set() },
  unbuffer: { values: new Set() },
  nocorrect: { values: new Set() },
  noglob: { values: new Set() },
  caffeinate: { values: new Set(['-t', '-w']) },
  flock: {
    values: new Set(['-w', '-E', '--timeout', '--conflict-exit-code']),
    operands: 1,
    commandLine: ['-c', '--command'],
  },
  xargs: {
    values: new Set([
      '-n',
      '-L',
      '-P',
      '-s',
      '-I',
      '-d',
      '-E',
      '-a',
      '--max-args',
      '--max-lines',
      '--max-procs',
      '--max-chars',
      '--delimiter',
      '--eof',
      '--arg-file',
      '--replace',
    ]),
  },
  busybox: { values: new Set() },
  doppler: { values: new Set() },
};

/** How far a chain of wrappers is followed (`sudo env nice …`). */
const MAX_WRAPPERS = 8;

export function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** The wrapper named `program`, if it is one. Own properties only: `toString -x` names no wrapper. */
export function wrapperFor(program: string): WrapperSpec | undefined {
  return Object.hasOwn(WRAPPERS, program) ? WRAPPERS[program] : undefined;
}

/** The words after the leading variable assignments (`FOO=1 A[2]=x B+=y cmd`). */
export function withoutAssignments(words: string[]): string[] {
  let start = 0;
  while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(words[start]!)) start += 1;
  return words.slice(start);
}

/** The program a command word names, or null when only running the line tells ($CMD, "$(…)", `…`). */
export function programName(word: string): string | null {
  const name = basename(word);
  if (!/[$`]/.test(word)) return name;
  // $HOME/bin/rm names rm; $(echo /bin/rm) and ${RM:-rm} name nothing yet.
  return /[$`(){}]/.test(name) ? null : name;
}

/** The words after a wrapper's own options and operands: the command it runs. */
export function unwrap(args: string[], spec: WrapperSpec): string[] {
  let i = 0;
  let operands = spec.operands ?? 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') {
      i += 1;
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
      i += spec.values.has(name) && !a.includes('=') ? 2 : 1;
      continue;
    }
    if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
      i += 1;
      continue;
    }
    if (operands > 0) {
      operands -= 1;
      i += 1;
      continue;
    }
    break;
  }
  return args.slice(i);
}

/** The command a chain of wrappers runs in the end: `sudo -E env X=1 bash -s` → `bash -s`. */
export function coreArgv(words: string[]): string[] {
  let argv = withoutAssignments(words);
  for (let n = 0; n <= MAX_WRAPPERS && argv.length > 0; n += 1) {
    const name = programName(argv[0]!);
    const wrapper = name === null ? undefined : wrapperFor(name);
    if (!wrapper) break;
    argv = withoutAssignments(unwrap(argv.slice(1), wrapper));
  }
  return argv;
}

/** The value of the first of `names` in args: `-c VALUE`, `--command VALUE` or `--command=VALUE`. */
export function optionValue(args: string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (names.includes(a)) return args[i + 1];
    const long = names.find((n) => n.startsWith('--') && a.startsWith(`${n}=`));
    if (long) return a.slice(long.length + 1);
  }
  return undefined;
}
