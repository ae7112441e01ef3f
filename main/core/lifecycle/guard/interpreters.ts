// The interpreter table: how shells and language interpreters get the code they run (`sh -c`,
// `bash -s`, `python3 -c`, `node -e`, `perl -e`, a script file, stdin), and the programs that run a
// shell command line given as arguments (eval, su -c, ssh host '…', watch). The safety guard checks
// what they run as it checks the command itself (inline-code-scan.ts for languages other than sh).

import { optionValue, unwrap, type WrapperSpec } from './wrappers.ts';

export type CodeLanguage = 'python' | 'javascript' | 'perl' | 'ruby' | 'php' | 'lua' | 'r' | 'applescript';
export type Language = 'shell' | CodeLanguage;

/** What a shell or interpreter command line runs: code given inline, its stdin, or a file. */
export type Invocation =
  | { kind: 'code'; lang: Language; code: string }
  | { kind: 'stdin'; lang: Language }
  | { kind: 'file'; lang: Language; path: string };

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'rbash', 'yash', 'posh']);

interface InterpreterSpec {
  lang: CodeLanguage;
  /** Short options whose value is code (python -c, node -e/-p, perl -e/-E …). */
  code: string;
  longCode?: readonly string[];
  /** Short options that take a value, attached or as the next word. */
  values?: string;
  longValues?: readonly string[];
  /** Short options whose optional value can only be attached (perl -i.bak, -MFile::Path). */
  attached?: string;
  /** Short options followed by optional digits (perl -l, -0). */
  digits?: string;
  /** Short option whose value is the script file (php -f). */
  file?: string;
  /** Short options that run something else than code or a script (python -m module). */
  other?: string;
  /** `deno eval CODE`: the subcommand whose first operand is code; other subcommands are not checked. */
  evalSubcommand?: string;
  /** Given no code and no file, it reads the program from stdin. */
  stdin: boolean;
}

// The interpreter table: which programs run code in which language, and how they take it.
const INTERPRETERS: ReadonlyArray<{ programs: RegExp; spec: InterpreterSpec }> = [
  { programs: /^(python|pypy)[\d.]*$/, spec: { lang: 'python', code: 'c', values: 'WX', other: 'm', stdin: true } },
  {
    programs: /^(node|nodejs)$/,
    spec: {
      lang: 'javascript',
      code: 'ep',
      longCode: ['--eval', '--print'],
      values: 'rC',
      longValues: [
        '--require',
        '--import',
        '--loader',
        '--experimental-loader',
        '--conditions',
        '--input-type',
        '--env-file',
        '--title',
      ],
      stdin: true,
    },
  },
  {
    programs: /^bun$/,
    spec: {
      lang: 'javascript',
      code: 'ep',
      longCode: ['--eval', '--print'],
      values: 'r',
      longValues: ['--preload', '--cwd', '--config'],
      stdin: false,
    },
  },
  { programs: /^deno$/, spec: { lang: 'javascript', code: '', evalSubcommand: 'eval', stdin: false } },
  {
    programs: /^perl[\d.]*$/,
    spec: { lang: 'perl', code: 'eE', values: 'I', attached: 'iMmxCdDVF', digits: 'l0', stdin: true },
  },
  {
    programs: /^ruby[\d.]*$/,
    spec: { lang: 'ruby', code: 'e', values: 'rICE', attached: 'ixFKTW', digits: '0', stdin: true },
  },
  { programs: /^php[\d.]*$/, spec: { lang: 'php', code: 'rBRE', values: 'cdzt', file: 'f', stdin: true } },
  { programs: /^(lua|luajit)[\d.]*$/, spec: { lang: 'lua', code: 'e', values: 'l', stdin: true } },
  { programs: /^Rscript$/, spec: { lang: 'r', code: 'e', stdin: false } },
  { programs: /^osascript$/, spec: { lang: 'applescript', code: 'e', values: 'ls', stdin: true } },
];

function interpreterFor(program: string): InterpreterSpec | undefined {
  return INTERPRETERS.find((entry) => entry.programs.test(program))?.spec;
}

function isStdinPath(path: string): boolean {
  return path === '/dev/stdin' || path === '/dev/fd/0' || path === '/proc/self/fd/0';
}

/**
 * What `program args…` runs, when program is a shell, an interpreter, or `source` / `.`;
 * null for any other program (and for `python -m module`, `deno run …`).
 */
export function invocationOf(program: string, args: string[]): Invocation | null {
  if (SHELLS.has(program)) return shellInvocation(args);
  if (program === 'source' || program === '.') {
    const path = args[0] === '--' ? args[1] : args[0];
    if (path === undefined) return null;
    return isStdinPath(path) ? { kind: 'stdin', lang: 'shell' } : { kind: 'file', lang: 'shell', path };
  }
  const spec = interpreterFor(program);
  return spec ? interpreterInvocation(spec, args) : null;
}

function shellInvocation(args: string[]): Invocation | null {
  let i = 0;
  let command = false;
  let stdin = false;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--' || a === '-') {
      i += 1;
      break;
    }
    if (a.startsWith('--command=')) return { kind: 'code', lang: 'shell', code: a.slice('--command='.length) };
    if (a === '--command' || /^-[A-Za-z]*c[A-Za-z]*$/.test(a)) {
      command = true;
      i += 1;
      continue;
    }
    // -o pipefail, -euo pipefail, +O extglob: the option name is the next word.
    if (/^[-+][A-Za-z]*[oO]$/.test(a) || a === '--rcfile' || a === '--init-file') {
      i += 2;
      continue;
    }
    // -s: read the commands from stdin, the operands are positional parameters.
    if (/^-[A-Za-z]*s[A-Za-z]*$/.test(a)) stdin = true;
    if (a.startsWith('-') || a.startsWith('+')) {
      i += 1;
      continue;
    }
    break;
  }
  if (command) return args[i] !== undefined ? { kind: 'code', lang: 'shell', code: args[i]! } : null;
  const operand = args[i];
  // No -c and no script file: the shell runs whatever arrives on stdin.
  if (stdin || operand === undefined || isStdinPath(operand)) return { kind: 'stdin', lang: 'shell' };
  return { kind: 'file', lang: 'shell', path: operand };
}

function interpreterInvocation(spec: InterpreterSpec, args: string[]): Invocation | null {
  const { lang } = spec;
  if (spec.evalSubcommand !== undefined) {
    if (args[0] !== spec.evalSubcommand) return null;
    const code = args.slice(1).find((a) => !a.startsWith('-'));
    return code !== undefined ? { kind: 'code', lang, code } : null;
  }
  const code: string[] = [];
  let i = 0;
  for (; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '--') {
      i += 1;
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a : a.slice(0, eq);
      if (spec.longCode?.includes(name)) code.push(eq === -1 ? (args[++i] ?? '') : a.slice(eq + 1));
      else if (spec.longValues?.includes(name) && eq === -1) i += 1;
      continue;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let k = 1; k < a.length; k += 1) {
      const ch = a[k]!;
      const rest = a.slice(k + 1);
      if (spec.code.includes(ch)) {
        // `-e CODE`, `-pe CODE` (node), or the code attached: `-eCODE`, python `-cCODE`.
        code.push(rest === '' || [...rest].every((c) => spec.code.includes(c)) ? (args[++i] ?? '') : rest);
        break;
      }
      if (spec.other?.includes(ch)) return null;
      if (spec.file?.includes(ch)) {
        const path = rest !== '' ? rest : args[i + 1];
        return path === undefined ? null : { kind: 'file', lang, path };
      }
      if (spec.values?.includes(ch)) {
        if (rest === '') i += 1;
        break;
      }
      if (spec.attached?.includes(ch)) break;
      if (spec.digits?.includes(ch))
        while (/[0-9a-fA-Fx]/.test(a[k + 1] ?? '') && !spec.code.includes(a[k + 1]!)) k += 1;
    }
    // Python stops reading its own options at -c: the words after it are the code's sys.argv.
    if (code.length > 0 && lang === 'python') break;
  }
  if (code.length > 0) return { kind: 'code', lang, code: code.join('\n') };
  const operand = args[i];
  if (operand === undefined) return spec.stdin ? { kind: 'stdin', lang } : null;
  if (operand === '-' || isStdinPath(operand)) return { kind: 'stdin', lang };
  return { kind: 'file', lang, path: operand };
}

/** The language an interpreter named somewhere in a word speaks: `${PYTHON:-python3}` → python. */
export function languageNamed(word: string): CodeLanguage | undefined {
  for (const token of word.toLowerCase().match(/[a-z][\w.]*/g) ?? []) {
    const spec = interpreterFor(token);
    if (spec) return spec.lang;
  }
  return undefined;
}

/** The language a script file is written in, from its `#!` line (undefined: none or a shell). */
export function shebangLanguage(content: string): CodeLanguage | undefined {
  const first = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(content);
  if (!first) return undefined;
  const program = first[1]!.endsWith('/env') ? (first[2] ?? '') : first[1]!;
  return interpreterFor(program.slice(program.lastIndexOf('/') + 1))?.lang;
}

/** How a program that runs a shell command line given as its arguments finds it. */
type CommandRunner =
  /** All its arguments, joined by spaces (eval). */
  | { kind: 'words' }
  /** The value of an option (su -c '…'). */
  | { kind: 'option'; names: readonly string[] }
  /** The words after its own options and operands (ssh host '…', watch -n 1 '…'). */
  | { kind: 'operands'; spec: WrapperSpec };

const COMMAND_RUNNERS: Record<string, CommandRunner> = {
  eval: { kind: 'words' },
  su: { kind: 'option', names: ['-c', '--command'] },
  runuser: { kind: 'option', names: ['-c', '--command'] },
  script: { kind: 'option', names: ['-c', '--command'] },
  watch: { kind: 'operands', spec: { values: new Set(['-n', '-d', '--interval', '--differences']) } },
  ssh: {
    kind: 'operands',
    spec: {
      values: new Set([
        '-b',
        '-c',
        '-D',
        '-E',
        '-e',
        '-F',
        '-I',
        '-i',
        '-J',
        '-L',
        '-l',
        '-m',
        '-O',
        '-o',
        '-p',
        '-Q',
        '-R',
        '-S',
        '-W',
        '-w',
        '-B',
      ]),
      operands: 1,
    },
  },
};

/**
 * The command line `program args…` runs when program is a command runner (eval, su -c, ssh, watch):
 * undefined for any other program, null when it runs none (`su` alone, `ssh host`).
 */
export function commandLineOf(program: string, args: string[]): string | null | undefined {
  const runner = Object.hasOwn(COMMAND_RUNNERS, program) ? COMMAND_RUNNERS[program]! : undefined;
  if (!runner) return undefined;
  if (runner.kind === 'words') return args.join(' ');
  if (runner.kind === 'option') return optionValue(args, runner.names) ?? null;
  const rest = unwrap(args, runner.spec);
  return rest.length > 0 ? rest.join(' ') : null;
}
