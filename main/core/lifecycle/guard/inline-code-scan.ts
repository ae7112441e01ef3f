// A scan of interpreters' inline code (python -c, node -e, perl -e …, or code on their stdin)
// for the dangers the safety guard knows.
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

import { finding, type GuardFinding } from './guard-finding.ts';
import { BLOCK_DEVICE, isCritical } from './guard-targets.ts';
import type { CodeLanguage } from './interpreters.ts';

export interface CodeScan {
  /** A danger found in the code itself. */
  danger: GuardFinding | null;
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

/** Scans inline code (see the top of this file for what it finds and what it does not). */
export function scanInlineCode(lang: CodeLanguage, code: string): CodeScan {
  const { literals, skeleton } = literalsOf(lang, code);
  const scan: CodeScan = { danger: null, scripts: [], argvs: [] };

  for (const loop of FORK_LOOPS) {
    const match = loop.exec(skeleton);
    if (match) {
      scan.danger = finding(
        'fork-bomb',
        code.slice(match.index, match.index + match[0].length),
        'a fork bomb (a loop that forks forever) exhausts the machine',
      );
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
        scan.danger = finding(
          'rm-critical',
          code.slice(match.index, end),
          `a recursive delete (${match[1]}) of the root, home or a system folder`,
        );
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
    scan.danger = finding('device-write', code, `writing to the block device ${path} destroys its data`);
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
