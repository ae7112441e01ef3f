// How shells and language interpreters get the code they run (`sh -c`, `python3 -c`, `node -e`,
// `perl -e`, a script file, stdin), and a scan of inline code for the dangers safety-guard knows.
//
// The scan is pragmatic, not a parser of Python, JavaScript, Perl, Ruby, PHP, Lua, R or
// AppleScript: it reads the code's string literals and a few call shapes with regular expressions.
// It finds what a one-liner says plainly —
//   - a recursive delete of the root, home or a system folder: shutil.rmtree('/'),
//     fs.rmSync('/', {recursive: true}), FileUtils.rm_rf(Dir.home), remove_tree('/') …;
//   - opening a block device for writing: open('/dev/sda', 'wb');
//   - a fork in an endless loop: `while True: os.fork()`, `fork while fork`;
//   - shell commands the code runs: when the code can run commands at all (os.system, subprocess,
//     child_process, system, exec, backticks, qx …), every string literal in it is checked as a
//     shell command line, and the literals of each call (`subprocess.run(['rm', '-rf', '/'])`) and
//     of each list of literals as the words of one command; backticks / qx{} / %x() always are.
// Code that cannot run commands keeps its strings as data: `print("rm -rf /")` passes.
// Not found: commands or paths built at run time (`'r' + 'm'`, base64, a variable holding '/'),
// modules imported under another name, and everything a script file does.

import { BLOCK_DEVICE, isCritical } from './guard-targets.ts';

export type CodeLanguage = 'python' | 'javascript' | 'perl' | 'ruby' | 'php' | 'lua' | 'r' | 'applescript';
export type Language = 'shell' | CodeLanguage;

/** What a shell or interpreter command line runs: code given inline, its stdin, or a file. */
export type Invocation =
  | { kind: 'code'; lang: Language; code: string }
  | { kind: 'stdin'; lang: Language }
  | { kind: 'file'; lang: Language; path: string };

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'rbash', 'yash', 'posh']);

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

const PYTHON: InterpreterSpec = { lang: 'python', code: 'c', values: 'WX', other: 'm', stdin: true };
const NODE: InterpreterSpec = {
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
};
const BUN: InterpreterSpec = {
  lang: 'javascript',
  code: 'ep',
  longCode: ['--eval', '--print'],
  values: 'r',
  longValues: ['--preload', '--cwd', '--config'],
  stdin: false,
};
const DENO: InterpreterSpec = { lang: 'javascript', code: '', evalSubcommand: 'eval', stdin: false };
const PERL: InterpreterSpec = {
  lang: 'perl',
  code: 'eE',
  values: 'I',
  attached: 'iMmxCdDVF',
  digits: 'l0',
  stdin: true,
};
const RUBY: InterpreterSpec = { lang: 'ruby', code: 'e', values: 'rICE', attached: 'ixFKTW', digits: '0', stdin: true };
const PHP: InterpreterSpec = { lang: 'php', code: 'rBRE', values: 'cdzt', file: 'f', stdin: true };
const LUA: InterpreterSpec = { lang: 'lua', code: 'e', values: 'l', stdin: true };
const RSCRIPT: InterpreterSpec = { lang: 'r', code: 'e', stdin: false };
const OSASCRIPT: InterpreterSpec = { lang: 'applescript', code: 'e', values: 'ls', stdin: true };

function interpreterFor(program: string): InterpreterSpec | undefined {
  if (/^(python|pypy)[\d.]*$/.test(program)) return PYTHON;
  if (program === 'node' || program === 'nodejs') return NODE;
  if (program === 'bun') return BUN;
  if (program === 'deno') return DENO;
  if (/^perl[\d.]*$/.test(program)) return PERL;
  if (/^ruby[\d.]*$/.test(program)) return RUBY;
  if (/^php[\d.]*$/.test(program)) return PHP;
  if (/^(lua|luajit)[\d.]*$/.test(program)) return LUA;
  if (program === 'Rscript') return RSCRIPT;
  if (program === 'osascript') return OSASCRIPT;
  return undefined;
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

// --- the scan of inline code ---

export interface CodeDanger {
  rule: string;
  command: string;
  reason: string;
}

export interface CodeScan {
  /** A danger found in the code itself. */
  danger: CodeDanger | null;
  /** Strings the code may run as shell command lines. */
  scripts: string[];
  /** Word lists the code may run as one command (`['rm', '-rf', '/']`). */
  argvs: string[][];
}

interface Literal {
  start: number;
  end: number;
  text: string;
  /** A command substitution of the language (backticks in Perl/Ruby/PHP, qx{}, %x(), zx's $`…`). */
  command: boolean;
}

// A literal in the skeleton: \u0001 then \u0002 up to its length.
const LIT = '\u0001\u0002*';

// Code that can run a command at all.
const RUNS_COMMANDS =
  /\b(?:subprocess|child_process|execa|shelljs|pty\s*\.\s*spawn|commands\s*\.\s*get\w+|Bun\s*\.\s*(?:spawn\w*|\$)|Deno\s*\.\s*(?:run|Command)|shell_exec|passthru|proc_open|popen\d?|Open3|system2?|exec\w*|spawn\w*|do\s+shell\s+script)\b/;
// Calls whose literals are the words of one command: subprocess.run([...]), spawn('rm', [...]), system('rm', …).
const COMMAND_CALL = new RegExp(
  `(?<![\\w$])(?:system2?|popen\\d?|exec\\w*|spawn\\w*|run|call|check_call|check_output|Popen|getoutput|getstatusoutput|shell_exec|passthru|proc_open|capture\\w*|pipeline\\w*|execa\\w*|Command)\\s*\\(|(?<![\\w$])(?:system|exec)\\s+(?=${LIT})`,
  'g',
);
const LITERAL_LIST = new RegExp(`\\[\\s*${LIT}(?:\\s*,\\s*${LIT})*\\s*,?\\s*\\]`, 'g');
const ALWAYS_RECURSIVE =
  /(?<![\w$])(?:[\w$]+\s*(?:\.|::|->)\s*)*(rmtree|rm_rf|rm_r|remove_tree|remove_dir|remove_entry(?:_secure)?|rimraf(?:Sync)?|removeSync|emptyDirSync|deleteRecursively)\s*\(/g;
const RECURSIVE_WITH_OPTION = /(?<![\w$])(?:[\w$]+\s*(?:\.|::|->)\s*)*(rmSync|rm|rmdirSync|rmdir|remove|unlink)\s*\(/g;
const HOME_EXPRESSION =
  /(?:\bhomedir\s*\(\s*\)|\bPath\s*\.\s*home\s*\(\s*\)|\bDir\s*\.\s*home|\bprocess\s*\.\s*env\s*\.\s*HOME|\$ENV\s*\{\s*HOME\s*\}|\bos\s*\.\s*homedir\s*\(\s*\))$/;
const ENV_LOOKUP = new RegExp(`(?:environ|getenv|ENV|env)\\s*(?:\\.\\s*get\\s*)?[\\[({]\\s*${LIT}\\s*[\\])}]$`);
const WRAPPED_LITERAL = new RegExp(`^(?:[\\w$]+\\s*(?:\\.|::|->)\\s*)*[\\w$]+\\s*\\(\\s*${LIT}\\s*\\)$`);
const WRITE_MODES = new Set([
  'w',
  'wb',
  'w+',
  'wb+',
  'w+b',
  'r+',
  'rb+',
  'r+b',
  'a',
  'ab',
  'a+',
  '>',
  '>>',
  '+<',
  '+>',
]);
const FORK_LOOPS = [
  /\bwhile\s*\(?\s*(?:True|true|1)\s*\)?\s*[:{]?\s*(?:[\w$]+\s*\.\s*)*fork\s*\(/,
  /\bfor\s*\(\s*;\s*;\s*\)\s*\{?\s*(?:[\w$]+\s*\.\s*)*fork\s*\(/,
  /\bfork\b\s*(?:\(\s*\))?\s*(?:while|until)\s+(?:fork|1|true)\b/,
  /\bloop\s*(?:do|\{)\s*(?:[\w$]+\s*\.\s*)*fork\b/,
];

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };

/**
 * The string literals of the code, and a skeleton of it of the same length in which every literal
 * is \u0001\u0002… and every comment blanks, so regular expressions see the code's shape only.
 */
function literalsOf(lang: CodeLanguage, code: string): { literals: Literal[]; skeleton: string } {
  const literals: Literal[] = [];
  const skeleton = [...code];
  const blank = (from: number, to: number, fill: string) => {
    for (let k = from; k < to; k += 1) skeleton[k] = code[k] === '\n' ? '\n' : fill;
  };
  const hashComments =
    lang === 'python' || lang === 'perl' || lang === 'ruby' || lang === 'r' || lang === 'php' || lang === 'applescript';
  const slashComments = lang === 'javascript' || lang === 'php';
  const dashComments = lang === 'lua' || lang === 'applescript';
  const commandBackticks = lang === 'perl' || lang === 'ruby' || lang === 'php';
  const quotedBackticks = lang === 'javascript' || lang === 'r';
  let i = 0;
  // Reads a quoted text from `from` (just after the opening quote) to `close`, decoding escapes.
  const quoted = (from: number, close: string): { text: string; end: number } => {
    let text = '';
    let k = from;
    while (k < code.length && !code.startsWith(close, k)) {
      if (code[k] === '\\' && k + 1 < code.length) {
        text += ESCAPES[code[k + 1]!] ?? code[k + 1];
        k += 2;
      } else {
        text += code[k];
        k += 1;
      }
    }
    return { text, end: Math.min(code.length, k + close.length) };
  };
  const add = (start: number, end: number, text: string, command: boolean) => {
    literals.push({ start, end, text, command });
    skeleton[start] = '\u0001';
    for (let k = start + 1; k < end; k += 1) skeleton[k] = '\u0002';
  };
  while (i < code.length) {
    const c = code[i]!;
    const prev = code[i - 1] ?? '';
    if (
      (hashComments && c === '#' && prev !== '$') ||
      (slashComments && code.startsWith('//', i)) ||
      (dashComments && code.startsWith('--', i))
    ) {
      const end = code.indexOf('\n', i);
      blank(i, end === -1 ? code.length : end, ' ');
      i = end === -1 ? code.length : end;
      continue;
    }
    if (slashComments && code.startsWith('/*', i)) {
      const end = code.indexOf('*/', i + 2);
      const stop = end === -1 ? code.length : end + 2;
      blank(i, stop, ' ');
      i = stop;
      continue;
    }
    if (lang === 'python' && (code.startsWith("'''", i) || code.startsWith('"""', i))) {
      const { text, end } = quoted(i + 3, code.slice(i, i + 3));
      add(i, end, text, false);
      i = end;
      continue;
    }
    // Perl q{} qq{} qw{} qx{}, Ruby %q() %Q() %w() %x() %().
    const perlQuote =
      lang === 'perl' && !/[\w$@%&>]/.test(prev) ? /^q([qwx]?)\s*([^\w\s])/.exec(code.slice(i, i + 4)) : null;
    const rubyQuote =
      lang === 'ruby' && !/[\w)\]]/.test(prev) ? /^%([qQwWx]?)([({[<|!/])/.exec(code.slice(i, i + 3)) : null;
    const special = perlQuote ?? rubyQuote;
    if (special) {
      const open = special[2]!;
      const { text, end } = quoted(i + special[0].length, CLOSERS[open] ?? open);
      add(i, end, text, special[1] === 'x');
      i = end;
      continue;
    }
    if (c === "'" || c === '"' || (c === '`' && (commandBackticks || quotedBackticks))) {
      const { text, end } = quoted(i + 1, c);
      // zx / Bun Shell: $`rm -rf /` runs a command.
      add(i, end, text, c === '`' && (commandBackticks || (lang === 'javascript' && prev === '$')));
      i = end;
      continue;
    }
    i += 1;
  }
  return { literals, skeleton: skeleton.join('') };
}

/** From the `(` at `open`: where the call ends and its top-level arguments, as [start, end) ranges. */
function callArguments(skeleton: string, open: number): { end: number; args: Array<[number, number]> } {
  const args: Array<[number, number]> = [];
  let depth = 0;
  let from = open + 1;
  for (let k = open + 1; k < skeleton.length; k += 1) {
    const c = skeleton[k]!;
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        args.push([from, k]);
        return { end: k + 1, args };
      }
      depth -= 1;
    } else if (c === ',' && depth === 0) {
      args.push([from, k]);
      from = k + 1;
    }
  }
  args.push([from, skeleton.length]);
  return { end: skeleton.length, args };
}

function literalsIn(literals: Literal[], from: number, to: number): Literal[] {
  return literals.filter((l) => l.start >= from && l.start < to);
}

/** Whether a delete call's first argument is the root, home or a system folder. */
function criticalTarget(skeleton: string, literals: Literal[], [from, to]: [number, number]): string | undefined {
  const arg = skeleton.slice(from, to).trim();
  const inside = literalsIn(literals, from, to);
  // Ends in the home folder itself (a join that goes below it ends in something else).
  if (HOME_EXPRESSION.test(arg)) return '~';
  if (inside.length !== 1) return undefined;
  const only = inside[0]!.text;
  if (ENV_LOOKUP.test(arg) && only === 'HOME') return '~';
  if (isCritical(only) && (new RegExp(`^${LIT}$`).test(arg) || WRAPPED_LITERAL.test(arg))) return only;
  return undefined;
}

function shortCode(text: string, max = 160): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Scans inline code (see the top of this file for what it finds and what it does not). */
export function scanInlineCode(lang: CodeLanguage, code: string): CodeScan {
  const { literals, skeleton } = literalsOf(lang, code);
  const scan: CodeScan = { danger: null, scripts: [], argvs: [] };

  for (const loop of FORK_LOOPS) {
    const match = loop.exec(skeleton);
    if (match) {
      scan.danger = {
        rule: 'fork-bomb',
        command: shortCode(code.slice(match.index, match.index + match[0].length)),
        reason: 'a fork bomb (a loop that forks forever) exhausts the machine',
      };
      return scan;
    }
  }

  for (const [pattern, needsOption] of [
    [ALWAYS_RECURSIVE, false],
    [RECURSIVE_WITH_OPTION, true],
  ] as const) {
    for (const match of skeleton.matchAll(pattern)) {
      const open = match.index + match[0].length - 1;
      const { end, args } = callArguments(skeleton, open);
      if (needsOption && !/recursive|\bTRUE\b/.test(code.slice(open, end))) continue;
      const target = args[0] ? criticalTarget(skeleton, literals, args[0]) : undefined;
      if (target !== undefined) {
        scan.danger = {
          rule: 'rm-critical',
          command: shortCode(code.slice(match.index, end)),
          reason: `a recursive delete (${match[1]}) of the root, home or a system folder`,
        };
        return scan;
      }
    }
  }

  const device = literals.find((l) => BLOCK_DEVICE.test(l.text.replace(/^[+<>\s]+/, '')));
  if (
    device &&
    (/^\s*(?:>|\+[<>])/.test(device.text) ||
      literals.some((l) => WRITE_MODES.has(l.text)) ||
      /\b(?:write\w*|O_WRONLY|O_RDWR|createWriteStream|syswrite)\b/.test(skeleton))
  ) {
    const path = device.text.replace(/^[+<>\s]+/, '');
    scan.danger = {
      rule: 'device-write',
      command: shortCode(code),
      reason: `writing to the block device ${path} destroys its data`,
    };
    return scan;
  }

  for (const literal of literals) if (literal.command) scan.scripts.push(literal.text);
  if (!RUNS_COMMANDS.test(code)) return scan;

  // The code runs commands: any of its strings may be one.
  for (const literal of literals) if (!literal.command) scan.scripts.push(literal.text);
  for (const match of skeleton.matchAll(COMMAND_CALL)) {
    const start = match.index + match[0].length;
    let end: number;
    if (match[0].endsWith('(')) end = callArguments(skeleton, start - 1).end;
    else {
      const stop = skeleton.slice(start).search(/[;\n]/);
      end = stop === -1 ? skeleton.length : start + stop;
    }
    const words = literalsIn(literals, start, end).map((l) => l.text);
    if (words.length > 1) scan.argvs.push(words);
  }
  for (const match of skeleton.matchAll(LITERAL_LIST)) {
    const words = literalsIn(literals, match.index, match.index + match[0].length).map((l) => l.text);
    if (words.length > 1) scan.argvs.push(words);
  }
  return scan;
}
