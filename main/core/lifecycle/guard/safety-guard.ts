import { ErrorCode, HookboxError } from '../../errors.ts';
import {
  findSubstitutions,
  parseShell,
  ShellSyntaxError,
  type Pipeline,
  type Redirect,
  type SimpleCommand,
} from './shell-parser.ts';
import { BLOCK_DEVICE, isCritical, isSystemPath, SAFE_DEVICES } from './guard-targets.ts';
import {
  invocationOf,
  languageNamed,
  scanInlineCode,
  shebangLanguage,
  type CodeLanguage,
  type Invocation,
  type Language,
} from './interpreters.ts';

// safety-guard: blocks destructive commands wherever they sit in a command line.
//
// The line is parsed as a shell would (shell-parser.ts) and every simple command in it is checked
// on its own: the parts of `a; b`, `a && b`, `a || b`, `a | b`, `( a )`, if/while bodies, every
// $(…) / `…` / <(…) (also inside double quotes and unquoted here-documents), and the scripts that
// programs run: `sh -c '…'`, `bash <<EOF`, `echo … | sh`, `eval …`, `ssh host '…'`, `su -c`,
// `find -exec …`, `xargs …`, and wrappers (sudo, env, nohup, timeout, nice, time, exec …).
//
// Quoted text is data, not a command: `grep -r "rm -rf" docs/` and `echo "DROP TABLE" > notes.txt`
// pass, because the words reach grep and echo as arguments and nothing runs them. Quoted text is
// checked as a command exactly when a program runs it as one (the cases above), and SQL is
// checked where a database client executes it (its arguments and its stdin).
//
// What the line does not show is judged by what it does show:
//   - a program name known only when the line runs ($CMD, ${RM}, "$(echo rm)") is blocked when its
//     arguments would be destructive for rm (-rf of /, ~, ., * or a system folder), dd (of= a disk)
//     or git (push --force, reset --hard); `$EDITOR file.txt` passes.
//   - interpreters' inline code (python -c, node -e, perl -e, ruby -e, php -r …, or code on their
//     stdin) is scanned for the same dangers: a pragmatic scan, not a parser (interpreters.ts).
//   - code downloaded from the network and run in the same line is blocked: `curl … | sh`,
//     `bash <(curl …)`, `sh -c "$(curl …)"`, `curl -o x.sh … && sh x.sh`.
//   - a script file (`bash x.sh`, `python x.py`, `./x.sh`) is checked only when this same line
//     wrote it (`echo … > x.sh`, `cat > x.sh <<EOF`, a download); any other file's content is not
//     on the command line, so running it passes.
//
// User patterns are regular expressions. `deny` blocks a simple command whose text (its words
// after quote removal, joined by spaces) contains a match. `allow` exempts a simple command whose
// whole text matches (anchored at both ends) from the rules — that one simple command only: an
// allowed `cat x` never lets the `rm -rf /` after `;` through (Loom's unanchored allow-list did).
// A download run by a pipeline (`curl … | sh`) is allowed by a pattern matching the whole pipeline,
// its stages joined by ` | `. Write /pattern/i for flags.

export interface SafetyGuardOptions {
  deny?: readonly string[];
  allow?: readonly string[];
}

export interface GuardFinding {
  /** Rule id, e.g. rm-recursive-force, git-push-force, sql-drop, user-deny. */
  rule: string;
  /** The simple command (or script) that matched. */
  command: string;
  reason: string;
}

const MAX_DEPTH = 8;

const SQL_CLIENTS = new Set([
  'psql',
  'pgcli',
  'mysql',
  'mariadb',
  'mycli',
  'mysqlsh',
  'sqlite3',
  'sqlite',
  'litecli',
  'duckdb',
  'sqlcmd',
  'osql',
  'isql',
  'clickhouse',
  'clickhouse-client',
  'cockroach',
  'usql',
  'snowsql',
  'trino',
  'presto',
  'spark-sql',
  'beeline',
  'hive',
  'cqlsh',
  'bq',
]);
const SQL_KEYWORDS = new Set(['DROP', 'TRUNCATE', 'DELETE']);
const OUTPUT_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>']);
// Programs that fetch from the network (and print it, or save it with -o / -O).
const FETCHERS = new Set(['curl', 'wget', 'wget2', 'fetch', 'http', 'https', 'xh', 'xhs', 'lwp-request', 'GET']);
const DOWNLOAD_REASON = 'runs code downloaded from the network';

/** A file this command line wrote before running it: what it holds, when the line says. */
type WrittenFile = { downloaded: true } | { downloaded: false; content: string };
const DOWNLOADED: WrittenFile = { downloaded: true };

const SQL_RULES: Array<{ rule: string; pattern: RegExp; what: string }> = [
  {
    rule: 'sql-drop',
    pattern: /\bDROP\s+(TABLE|DATABASE|SCHEMA)\b/i,
    what: 'SQL DROP deletes a table, schema or database',
  },
  { rule: 'sql-truncate', pattern: /\bTRUNCATE\s+(TABLE\s+)?[`"\w]/i, what: 'SQL TRUNCATE empties a table' },
  { rule: 'sql-delete', pattern: /\bDELETE\s+FROM\b/i, what: 'SQL DELETE FROM removes rows' },
];

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

function shorten(text: string, max = 160): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** `/re/flags` or a bare pattern (case-sensitive). Invalid patterns are an error naming them. */
export function compileUserPattern(pattern: string, anchored: boolean, where: string): RegExp {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  const source = literal ? literal[1]! : pattern;
  const flags = literal ? literal[2]!.replace(/[gy]/g, '') : '';
  try {
    return new RegExp(anchored ? `^(?:${source})$` : source, flags);
  } catch (error) {
    throw new HookboxError(
      ErrorCode.InvalidConfig,
      `${where}: invalid pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`,
    );
  }
}

/** Options of a wrapper program: which take a value, and how many operands come before the command. */
interface WrapperSpec {
  values: Set<string>;
  operands?: number;
  /** Stop at the first non-option (else keep skipping KEY=VALUE words, as env does). */
  assignments?: boolean;
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
  env: { values: new Set(['-u', '-C', '--unset', '--chdir']), assignments: true },
  nohup: { values: new Set() },
  setsid: { values: new Set() },
  time: { values: new Set(['-o', '-f', '--output', '--format']) },
  nice: { values: new Set(['-n', '--adjustment']) },
  ionice: { values: new Set(['-c', '-n', '-p', '-P', '-u', '--class', '--classdata']) },
  timeout: { values: new Set(['-s', '-k', '--signal', '--kill-after']), operands: 1 },
  stdbuf: { values: new Set(['-i', '-o', '-e', '--input', '--output', '--error']) },
  chroot: { values: new Set(['--userspec', '--groups']), operands: 1 },
  exec: { values: new Set(['-a']) },
  command: { values: new Set() },
  builtin: { values: new Set() },
  unbuffer: { values: new Set() },
  nocorrect: { values: new Set() },
  noglob: { values: new Set() },
  caffeinate: { values: new Set(['-t', '-w']) },
  flock: { values: new Set(['-w', '-E', '--timeout', '--conflict-exit-code']), operands: 1 },
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

export class SafetyGuard {
  readonly #deny: RegExp[];
  readonly #allow: RegExp[];
  /** Files the line being checked wrote before running them (keys: normalizePath). */
  #written = new Map<string, WrittenFile>();

  constructor(options: SafetyGuardOptions = {}, where = 'safety-guard') {
    this.#deny = (options.deny ?? []).map((p) => compileUserPattern(p, false, `${where}: 'deny'`));
    this.#allow = (options.allow ?? []).map((p) => compileUserPattern(p, true, `${where}: 'allow'`));
  }

  /**
   * Checks a tool call. A tool whose name says SQL (sql, query, execute_sql …) is checked as SQL;
   * every other command as a shell command line.
   */
  check(command: string, tool?: string): GuardFinding | null {
    if (command.trim() === '') return null;
    if (tool && /sql|query|database/i.test(tool) && !/^(bash|shell|sh)$/i.test(tool))
      return this.#checkSql(command, command);
    this.#written = new Map();
    return this.#checkScript(command, 0);
  }

  #checkScript(source: string, depth: number): GuardFinding | null {
    if (depth > MAX_DEPTH)
      return {
        rule: 'too-deep',
        command: shorten(source),
        reason: `commands nested more than ${MAX_DEPTH} levels deep cannot be checked`,
      };
    const bomb = forkBomb(source);
    if (bomb)
      return {
        rule: 'fork-bomb',
        command: shorten(bomb),
        reason: 'a fork bomb (a function that starts copies of itself) exhausts the machine',
      };
    let parsed;
    try {
      parsed = parseShell(source);
    } catch (error) {
      if (!(error instanceof ShellSyntaxError)) throw error;
      return {
        rule: 'unparsable',
        command: shorten(source),
        reason: `the command cannot be parsed (${error.message}), so it cannot be checked`,
      };
    }
    for (const inner of parsed.substitutions) {
      const found = this.#checkScript(inner, depth + 1);
      if (found) return found;
    }
    for (const pipeline of parsed.pipelines) {
      const piped = this.#pipedDownload(pipeline);
      if (piped) return piped;
      let downloading = false;
      for (let i = 0; i < pipeline.commands.length; i += 1) {
        const command = pipeline.commands[i]!;
        const stdin = stdinText(command) ?? (i > 0 ? literalOutput(pipeline.commands[i - 1]!) : undefined);
        const words = command.words.map((w) => w.text);
        const found = this.#checkWords(words, command.redirects, stdin, depth);
        if (found) return found;
        this.#recordWrites(command, words, downloading && stdinText(command) === undefined ? DOWNLOADED : stdin);
        downloading ||= isFetcher(coreArgv(words));
      }
    }
    return null;
  }

  /** `curl … | sh`: a stage after a download that runs its stdin as code. */
  #pipedDownload(pipeline: Pipeline): GuardFinding | null {
    const stages = pipeline.commands.map((c) => coreArgv(c.words.map((w) => w.text)));
    const first = stages.findIndex(isFetcher);
    if (first === -1) return null;
    for (let j = first + 1; j < stages.length; j += 1) {
      const argv = stages[j]!;
      if (argv.length === 0 || stdinText(pipeline.commands[j]!) !== undefined) continue;
      const name = programName(argv[0]!);
      if (name === null || invocationOf(name, argv.slice(1))?.kind !== 'stdin') continue;
      const text = pipeline.commands.map(commandText).join(' | ');
      return this.#allowed(text) ? null : finding('download-exec', text, DOWNLOAD_REASON);
    }
    return null;
  }

  #allowed(text: string): boolean {
    return text !== '' && this.#allow.some((re) => re.test(text));
  }

  /** Remembers what this command writes to files, for a later `sh file` / `./file` in the line. */
  #recordWrites(command: SimpleCommand, words: string[], stdin: WrittenFile | string | undefined): void {
    const argv = coreArgv(words);
    const fetcher = isFetcher(argv);
    const printed = literalOutput(command);
    const output: WrittenFile | undefined = fetcher
      ? DOWNLOADED
      : printed !== undefined
        ? { downloaded: false, content: printed }
        : undefined;
    for (const r of command.redirects) {
      if (!OUTPUT_REDIRECTS.has(r.op) || r.target.dynamic) continue;
      const stdout = r.fd === null || r.fd === '1' || r.op.startsWith('&');
      this.#write(r.target.text, stdout ? output : undefined, r.op === '>>' || r.op === '&>>');
    }
    if (fetcher) for (const path of downloadTargets(argv)) this.#write(path, DOWNLOADED, false);
    if (basename(argv[0] ?? '') === 'tee') {
      const content: WrittenFile | undefined =
        typeof stdin === 'string' ? { downloaded: false, content: stdin } : stdin;
      const { flags, long, operands } = splitFlags(argv.slice(1));
      for (const path of operands) this.#write(path, content, flags.has('a') || long.has('--append'));
    }
  }

  #write(path: string, content: WrittenFile | undefined, append: boolean): void {
    const key = normalizePath(path);
    const before = this.#written.get(key);
    if (content === undefined) this.#written.delete(key);
    else if (!append || !before) this.#written.set(key, content);
    else if (content.downloaded || before.downloaded) this.#written.set(key, DOWNLOADED);
    else this.#written.set(key, { downloaded: false, content: `${before.content}\n${content.content}` });
  }

  #checkWords(
    words: string[],
    redirects: readonly Redirect[],
    stdin: string | undefined,
    depth: number,
  ): GuardFinding | null {
    const argv = withoutAssignments(words);
    const text = [...argv, ...redirects.map((r) => `${r.fd ?? ''}${r.op} ${r.target.text}`)].join(' ');
    if (text !== '' && this.#allow.some((re) => re.test(text) || re.test(argv.join(' ')))) return null;
    const denied = this.#deny.find((re) => re.test(text));
    if (denied)
      return { rule: 'user-deny', command: shorten(text), reason: `matches the deny pattern ${denied.source}` };
    for (const r of redirects) {
      if (OUTPUT_REDIRECTS.has(r.op) && BLOCK_DEVICE.test(r.target.text))
        return finding('device-write', text, `writing to the block device ${r.target.text} destroys its data`);
    }
    if (argv.length === 0) return null;
    return this.#rules(argv, stdin, depth);
  }

  #checkSql(sql: string, command: string): GuardFinding | null {
    for (const rule of SQL_RULES) if (rule.pattern.test(sql)) return finding(rule.rule, command, rule.what);
    return null;
  }

  #rules(argv: string[], stdin: string | undefined, depth: number): GuardFinding | null {
    const text = argv.join(' ');
    const name = programName(argv[0]!);
    if (name === null)
      return dynamicProgram(argv[0]!, argv.slice(1), text) ?? this.#dynamicInlineCode(argv[0]!, argv.slice(1), depth);
    const program = name;
    const args = argv.slice(1);

    const wrapper = wrapperFor(program);
    if (wrapper) {
      if (program === 'command' && args.some((a) => a === '-v' || a === '-V')) return null;
      if (program === 'env') {
        const split = args.findIndex((a) => a === '-S' || a.startsWith('--split-string'));
        if (split >= 0) {
          const value = args[split]!.includes('=')
            ? args[split]!.slice(args[split]!.indexOf('=') + 1)
            : (args[split + 1] ?? '');
          return this.#checkScript(value, depth + 1);
        }
      }
      if (program === 'flock') {
        const c = optionValue(args, ['-c', '--command']);
        if (c !== undefined) return this.#checkScript(c, depth + 1);
      }
      const rest = unwrap(args, wrapper);
      return rest.length > 0 ? this.#checkWords(rest, [], stdin, depth + 1) : null;
    }

    if (argv[0]!.includes('/') && this.#written.has(normalizePath(argv[0]!)))
      return this.#runFile('shell', argv[0]!, text, depth);
    const invocation = invocationOf(program, args);
    if (invocation) return this.#invoke(invocation, stdin, text, depth);
    if (program === 'eval') return this.#checkScript(args.join(' '), depth + 1);
    if (program === 'su' || program === 'runuser' || program === 'script') {
      const c = optionValue(args, ['-c', '--command']);
      return c !== undefined ? this.#checkScript(c, depth + 1) : null;
    }
    if (program === 'watch') {
      const rest = unwrap(args, { values: new Set(['-n', '-d', '--interval', '--differences']) });
      return rest.length > 0 ? this.#checkScript(rest.join(' '), depth + 1) : null;
    }
    if (program === 'ssh') {
      const rest = unwrap(args, {
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
      });
      return rest.length > 0 ? this.#checkScript(rest.join(' '), depth + 1) : null;
    }
    if (program === 'find') return this.#find(args, depth);
    if (SQL_KEYWORDS.has(program.toUpperCase())) return this.#checkSql(text, text);
    if (SQL_CLIENTS.has(program)) {
      for (const value of [...args, ...(stdin !== undefined ? [stdin] : [])]) {
        const found = this.#checkSql(value, text);
        if (found) return found;
      }
      return null;
    }

    switch (program) {
      case 'rm':
        return rmRule(args, text);
      case 'git':
        return gitRule(args, text);
      case 'dd': {
        const of = args.find((a) => a.startsWith('of='))?.slice(3);
        if (of?.startsWith('/dev/') && !SAFE_DEVICES.test(of))
          return finding('dd-device', text, `dd writing to the device ${of} overwrites it`);
        return null;
      }
      case 'chmod':
        return chmodRule(args, text);
      case 'chown':
      case 'chgrp': {
        const { flags, operands } = splitFlags(args);
        const targets = operands.slice(1);
        if (targets.includes('/') || (flags.has('R') && targets.some(isCritical)))
          return finding(
            'chown-root',
            text,
            `${program} on the root of the filesystem or a system folder breaks the system`,
          );
        return null;
      }
      case 'tee':
      case 'cp':
      case 'mv':
      case 'install':
      case 'shred':
      case 'pv': {
        const device = args.find((a) => BLOCK_DEVICE.test(a));
        return device ? finding('device-write', text, `writing to the block device ${device} destroys its data`) : null;
      }
      case 'wipefs':
      case 'mke2fs':
      case 'blkdiscard':
        return finding('mkfs', text, `${program} erases a filesystem`);
      case 'shutdown':
      case 'reboot':
      case 'halt':
      case 'poweroff':
        return finding('shutdown', text, 'shuts down or restarts the machine');
      case 'systemctl':
        return args.some((a) => ['poweroff', 'reboot', 'halt', 'kexec', 'suspend', 'hibernate'].includes(a))
          ? finding('shutdown', text, 'shuts down or restarts the machine')
          : null;
      case 'init':
      case 'telinit':
        return args.some((a) => a === '0' || a === '6')
          ? finding('shutdown', text, 'shuts down or restarts the machine')
          : null;
      case 'kill':
        return args.includes('-1') && args.some((a) => /^-(9|KILL|SIGKILL)$/i.test(a) || a === '-s')
          ? finding('kill-all', text, 'kill -9 -1 kills every process you own')
          : null;
      case 'redis-cli':
        return args.some((a) => /^FLUSH(ALL|DB)$/i.test(a))
          ? finding('redis-flush', text, 'FLUSHALL / FLUSHDB deletes every key')
          : null;
      default:
        break;
    }
    if (/^mkfs(\.|$)/.test(program) || /^mkfs\./.test(program))
      return finding('mkfs', text, 'mkfs formats a filesystem, erasing what was on it');
    return null;
  }

  /**
   * `$SHELL -c '…'`, `"$PYTHON" -c '…'`: the code is checked as a command line, and as code of the
   * language the word names, if it names one.
   */
  #dynamicInlineCode(word: string, args: string[], depth: number): GuardFinding | null {
    const at = args.findIndex((a) => /^-[A-Za-z]*[ce]$/.test(a));
    const code = at === -1 ? undefined : args[at + 1];
    if (code === undefined) return null;
    const found = this.#checkScript(code, depth + 1);
    if (found && found.rule !== 'unparsable') return found;
    const lang = languageNamed(word);
    return lang ? this.#checkCode(lang, code, depth + 1) : null;
  }

  #invoke(invocation: Invocation, stdin: string | undefined, text: string, depth: number): GuardFinding | null {
    if (invocation.kind === 'code') return this.#runCode(invocation.lang, invocation.code, depth);
    if (invocation.kind === 'stdin') return stdin !== undefined ? this.#runCode(invocation.lang, stdin, depth) : null;
    return this.#runFile(invocation.lang, invocation.path, text, depth);
  }

  #runCode(lang: Language, code: string, depth: number): GuardFinding | null {
    return lang === 'shell' ? this.#checkScript(code, depth + 1) : this.#checkCode(lang, code, depth + 1);
  }

  /**
   * A script file: checked when the line made it — `<(…)`, or a file it wrote or downloaded.
   * Any other file passes: its content is not on the command line.
   */
  #runFile(lang: Language, path: string, text: string, depth: number): GuardFinding | null {
    if (path.startsWith('<(') && path.endsWith(')')) {
      const inner = path.slice(2, -1);
      if (fetches(inner)) return finding('download-exec', text, DOWNLOAD_REASON);
      const output = scriptOutput(inner);
      return output !== undefined ? this.#runCode(lang, output, depth) : null;
    }
    const file = this.#written.get(normalizePath(path));
    if (!file) return null;
    if (file.downloaded) return finding('download-exec', text, DOWNLOAD_REASON);
    return this.#runCode(shebangLanguage(file.content) ?? lang, file.content, depth);
  }

  /** Inline code of an interpreter (see interpreters.ts for what the scan finds). */
  #checkCode(lang: CodeLanguage, code: string, depth: number): GuardFinding | null {
    if (depth > MAX_DEPTH)
      return {
        rule: 'too-deep',
        command: shorten(code),
        reason: `commands nested more than ${MAX_DEPTH} levels deep cannot be checked`,
      };
    // python3 -c "$(curl …)": the shell put downloaded text into the code.
    if (findSubstitutions(code).some((inner) => fetches(inner))) return finding('download-exec', code, DOWNLOAD_REASON);
    const scan = scanInlineCode(lang, code);
    if (scan.danger) return scan.danger;
    // Strings that do not parse as a command line are not one (a shell would refuse them too).
    for (const argv of scan.argvs) {
      const found = this.#checkWords(argv, [], undefined, depth + 1);
      if (found && found.rule !== 'unparsable') return found;
    }
    for (const script of scan.scripts) {
      const found = this.#checkScript(script, depth + 1);
      if (found && found.rule !== 'unparsable') return found;
    }
    return null;
  }

  #find(args: string[], depth: number): GuardFinding | null {
    const paths: string[] = [];
    let i = 0;
    while (i < args.length && !/^[-(!]/.test(args[i]!)) paths.push(args[i++]!);
    for (; i < args.length; i += 1) {
      const a = args[i]!;
      if (a === '-delete' && paths.some(isSystemPath))
        return finding('find-delete', `find ${args.join(' ')}`, 'find -delete on the root, home or a system folder');
      if (a === '-exec' || a === '-execdir' || a === '-ok' || a === '-okdir') {
        const end = args.findIndex((x, j) => j > i && (x === ';' || x === '+'));
        const inner = args.slice(i + 1, end === -1 ? undefined : end);
        const found = inner.length > 0 ? this.#checkWords(inner, [], undefined, depth + 1) : null;
        if (found) return found;
        i = end === -1 ? args.length : end;
      }
    }
    return null;
  }
}

function finding(rule: string, command: string, what: string): GuardFinding {
  return { rule, command: shorten(command), reason: what };
}

// Own properties only: `toString -x` names no wrapper.
function wrapperFor(program: string): WrapperSpec | undefined {
  return Object.hasOwn(WRAPPERS, program) ? WRAPPERS[program] : undefined;
}

function withoutAssignments(words: string[]): string[] {
  let start = 0;
  while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(words[start]!)) start += 1;
  return words.slice(start);
}

/** A simple command as the user patterns see it: words after assignments, then redirections. */
function commandText(command: SimpleCommand): string {
  return [
    ...withoutAssignments(command.words.map((w) => w.text)),
    ...command.redirects.map((r) => `${r.fd ?? ''}${r.op} ${r.target.text}`),
  ].join(' ');
}

/** The program a command word names, or null when only running the line tells ($CMD, "$(…)", `…`). */
function programName(word: string): string | null {
  const name = basename(word);
  if (!/[$`]/.test(word)) return name;
  // $HOME/bin/rm names rm; $(echo /bin/rm) and ${RM:-rm} name nothing yet.
  return /[$`(){}]/.test(name) ? null : name;
}

/** The command a chain of wrappers runs in the end: `sudo -E env X=1 bash -s` → `bash -s`. */
function coreArgv(words: string[]): string[] {
  let argv = withoutAssignments(words);
  for (let n = 0; n <= MAX_DEPTH && argv.length > 0; n += 1) {
    const name = programName(argv[0]!);
    const wrapper = name === null ? undefined : wrapperFor(name);
    if (!wrapper) break;
    argv = withoutAssignments(unwrap(argv.slice(1), wrapper));
  }
  return argv;
}

function isFetcher(argv: string[]): boolean {
  return argv.length > 0 && FETCHERS.has(programName(argv[0]!) ?? '');
}

/** Whether a command line (or a substitution in it) downloads: its output is network data. */
function fetches(script: string, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
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

/**
 * A program known only when the line runs. It is blocked when it runs downloaded text, or when
 * its arguments would be destructive for rm, dd or git, whichever program it turns out to be:
 * `$CMD -rf /` is, `$EDITOR notes.txt` is not. Milder look-alikes (`$X -rf build`, `$X -r .`)
 * pass, since tar -rf and grep -r take the same flags.
 */
function dynamicProgram(word: string, args: string[], text: string): GuardFinding | null {
  if (findSubstitutions(word).some((inner) => fetches(inner))) return finding('download-exec', text, DOWNLOAD_REASON);
  const unknown = `the program ${shorten(word, 40)} cannot be determined before it runs`;
  const { flags, long, operands } = splitFlags(args);
  const recursive = flags.has('r') || flags.has('R') || long.has('--recursive');
  const force = flags.has('f') || long.has('--force');
  const target = operands.find(isCritical);
  if (long.has('--no-preserve-root') || (recursive && force && target !== undefined))
    return finding(
      'dynamic-program',
      text,
      `${unknown}, and as rm these arguments delete ${target ?? '/'} recursively`,
    );
  const of = args.find((a) => a.startsWith('of='))?.slice(3);
  if (of?.startsWith('/dev/') && !SAFE_DEVICES.test(of))
    return finding('dynamic-program', text, `${unknown}, and as dd these arguments overwrite the device ${of}`);
  const git = gitRule(args, text);
  if (git?.rule === 'git-push-force')
    return finding(
      'dynamic-program',
      text,
      `${unknown}, and as git these arguments force-push over the remote history`,
    );
  if (git?.rule === 'git-reset-hard')
    return finding('dynamic-program', text, `${unknown}, and as git these arguments discard uncommitted work`);
  return null;
}

/** The files a download saves to: curl -o F / -O (the URL's name), wget's URL name or -O F, -o F. */
function downloadTargets(argv: string[]): string[] {
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

function normalizePath(path: string): string {
  return path.replace(/\/{2,}/g, '/').replace(/^(\.\/)+/, '');
}

/** What `<(echo …)`, `<(printf …)` or `<(cat <<EOF …)` gives, when it is literal text. */
function scriptOutput(script: string): string | undefined {
  try {
    const { pipelines } = parseShell(script);
    const only = pipelines.length === 1 && pipelines[0]!.commands.length === 1 ? pipelines[0]!.commands[0]! : undefined;
    return only ? literalOutput(only) : undefined;
  } catch {
    return undefined;
  }
}

/** What a command reads on stdin from its own here-document or here-string. */
function stdinText(command: SimpleCommand): string | undefined {
  for (const r of command.redirects) {
    if (r.heredoc) return r.heredoc.body;
    if (r.op === '<<<') return r.target.text;
  }
  return undefined;
}

/** What the previous stage of a pipeline prints when it is plain echo/printf/cat <<EOF. */
function literalOutput(command: SimpleCommand): string | undefined {
  const words = command.words.map((w) => w.text);
  const program = basename(words[0] ?? '');
  if (program === 'echo') {
    const escapes = /^-[neE]*e[neE]*$/.test(words[1] ?? '');
    const text = words
      .slice(1)
      .filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w)))
      .join(' ');
    return escapes ? printfEscapes(text) : text;
  }
  if (program === 'printf') return printfEscapes(words.slice(1).join(' '));
  if (program === 'cat' && words.length === 1) return stdinText(command);
  return undefined;
}

/** The backslash escapes of printf and echo -e that shape a script: \n, \t and \\. */
function printfEscapes(text: string): string {
  return text.replace(/\\([nt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/** The words after a wrapper's own options and operands: the command it runs. */
function unwrap(args: string[], spec: WrapperSpec): string[] {
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

function optionValue(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (names.includes(a)) return args[i + 1];
    const long = names.find((n) => n.startsWith('--') && a.startsWith(`${n}=`));
    if (long) return a.slice(long.length + 1);
  }
  return undefined;
}

/** Short flags (letters of -abc clusters) and long flags (--name) before `--`, and the operands. */
function splitFlags(args: string[]): { flags: Set<string>; long: Set<string>; operands: string[] } {
  const flags = new Set<string>();
  const long = new Set<string>();
  const operands: string[] = [];
  let ended = false;
  for (const a of args) {
    if (ended) operands.push(a);
    else if (a === '--') ended = true;
    else if (a.startsWith('--')) long.add(a.split('=')[0]!);
    else if (a.startsWith('-') && a.length > 1) for (const ch of a.slice(1)) flags.add(ch);
    else operands.push(a);
  }
  return { flags, long, operands };
}

function rmRule(args: string[], text: string): GuardFinding | null {
  const { flags, long, operands } = splitFlags(args);
  const recursive = flags.has('r') || flags.has('R') || long.has('--recursive');
  const force = flags.has('f') || long.has('--force');
  if (long.has('--no-preserve-root'))
    return finding('rm-critical', text, 'rm --no-preserve-root deletes the whole filesystem');
  if (recursive && force) return finding('rm-recursive-force', text, 'rm -rf deletes recursively without asking');
  if (recursive && operands.some(isCritical))
    return finding('rm-critical', text, 'a recursive delete of the root, home or a system folder');
  return null;
}

const GIT_GLOBAL_WITH_VALUE = new Set([
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--exec-path',
  '--config-env',
]);

function gitRule(args: string[], text: string): GuardFinding | null {
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) i += GIT_GLOBAL_WITH_VALUE.has(args[i]!) ? 2 : 1;
  const sub = args[i];
  const rest = args.slice(i + 1);
  const { flags, long, operands } = splitFlags(rest);
  if (sub === 'push') {
    const force =
      flags.has('f') ||
      long.has('--force') ||
      long.has('--force-with-lease') ||
      long.has('--force-if-includes') ||
      long.has('--mirror') ||
      operands.some((o) => o.startsWith('+'));
    return force ? finding('git-push-force', text, 'git push --force overwrites the remote history') : null;
  }
  if (sub === 'reset' && long.has('--hard'))
    return finding('git-reset-hard', text, 'git reset --hard discards uncommitted work');
  if (sub === 'clean' && (flags.has('f') || long.has('--force')) && !(flags.has('n') || long.has('--dry-run')))
    return finding('git-clean-force', text, 'git clean -f deletes untracked files for good');
  return null;
}

function chmodRule(args: string[], text: string): GuardFinding | null {
  // chmod takes modes like -x or -rwx that look like options; only -R -v -c -f are options.
  const operands: string[] = [];
  let recursive = false;
  for (const a of args) {
    if (a === '-R' || a === '--recursive') recursive = true;
    else if (/^-[Rvcf]+$/.test(a)) recursive ||= a.includes('R');
    else if (a.startsWith('--')) continue;
    else operands.push(a);
  }
  const [mode, ...targets] = operands;
  if (mode !== undefined && (/^0+$/.test(mode) || /^[ugoa]*-rwx$/.test(mode) || /^[ugoa]*=$/.test(mode)))
    return finding('chmod-000', text, 'chmod 000 removes every permission');
  if (recursive && targets.some(isCritical))
    return finding('chmod-recursive', text, 'a recursive chmod of the root, home or a system folder breaks the system');
  return null;
}

/** The text of a function definition that runs itself twice (`:(){ :|:& };:`), if any. */
function forkBomb(source: string): string | undefined {
  const definitions = [
    ...source.matchAll(/([^\s(){};|&<>]+)\s*\(\s*\)\s*\{([^}]*)\}/g),
    ...source.matchAll(/\bfunction\s+([^\s(){};|&<>]+)\s*(?:\(\s*\))?\s*\{([^}]*)\}/g),
  ];
  for (const match of definitions) {
    const name = match[1]!;
    const body = match[2]!;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const calls = body.match(new RegExp(`(^|[\\s;&|({])${escaped}(?=$|[\\s;&|)}])`, 'g'))?.length ?? 0;
    if (calls >= 2 || (calls >= 1 && /&/.test(body))) return match[0];
  }
  return undefined;
}
