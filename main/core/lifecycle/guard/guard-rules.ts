// The safety guard's rules as data: which programs each rule judges, and when their arguments are
// destructive. The walker (safety-guard.ts) finds every simple command a line runs and asks the
// rule for its program; adding a rule is one entry in PROGRAM_RULES.

import { finding, type GuardFinding, shorten } from './guard-finding.ts';
import { BLOCK_DEVICE, isCritical, SAFE_DEVICES } from './guard-targets.ts';

/** What a rule sees of one simple command, after wrappers and assignments. */
export interface CommandInput {
  /** The program's name (a basename). */
  program: string;
  args: string[];
  /** The command's words joined by spaces: what a finding shows. */
  text: string;
  /** What it reads on stdin, when the line says (here-document, here-string, `echo … |`). */
  stdin: string | undefined;
}

interface ProgramRule {
  /** The programs it judges, by name. */
  programs: ReadonlySet<string> | RegExp;
  check(command: CommandInput): GuardFinding | null;
}

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

const SQL_RULES: Array<{ rule: string; pattern: RegExp; what: string }> = [
  {
    rule: 'sql-drop',
    pattern: /\bDROP\s+(TABLE|DATABASE|SCHEMA)\b/i,
    what: 'SQL DROP deletes a table, schema or database',
  },
  { rule: 'sql-truncate', pattern: /\bTRUNCATE\s+(TABLE\s+)?[`"\w]/i, what: 'SQL TRUNCATE empties a table' },
  { rule: 'sql-delete', pattern: /\bDELETE\s+FROM\b/i, what: 'SQL DELETE FROM removes rows' },
];

const SHUTDOWN = 'shuts down or restarts the machine';

const PROGRAM_RULES: readonly ProgramRule[] = [
  { programs: new Set(['rm']), check: ({ args, text }) => rmRule(args, text) },
  { programs: new Set(['git']), check: ({ args, text }) => gitRule(args, text) },
  {
    programs: new Set(['dd']),
    check: ({ args, text }) => {
      const of = deviceOf(args);
      return of ? finding('dd-device', text, `dd writing to the device ${of} overwrites it`) : null;
    },
  },
  { programs: new Set(['chmod']), check: ({ args, text }) => chmodRule(args, text) },
  {
    programs: new Set(['chown', 'chgrp']),
    check: ({ program, args, text }) => {
      const { flags, operands } = splitFlags(args);
      const targets = operands.slice(1);
      return targets.includes('/') || (flags.has('R') && targets.some(isCritical))
        ? finding('chown-root', text, `${program} on the root of the filesystem or a system folder breaks the system`)
        : null;
    },
  },
  {
    programs: new Set(['tee', 'cp', 'mv', 'install', 'shred', 'pv']),
    check: ({ args, text }) => {
      const device = args.find((a) => BLOCK_DEVICE.test(a));
      return device ? finding('device-write', text, `writing to the block device ${device} destroys its data`) : null;
    },
  },
  {
    programs: new Set(['wipefs', 'mke2fs', 'blkdiscard']),
    check: ({ program, text }) => finding('mkfs', text, `${program} erases a filesystem`),
  },
  {
    programs: /^mkfs(\.|$)/,
    check: ({ text }) => finding('mkfs', text, 'mkfs formats a filesystem, erasing what was on it'),
  },
  {
    programs: new Set(['shutdown', 'reboot', 'halt', 'poweroff']),
    check: ({ text }) => finding('shutdown', text, SHUTDOWN),
  },
  {
    programs: new Set(['systemctl']),
    check: ({ args, text }) =>
      args.some((a) => ['poweroff', 'reboot', 'halt', 'kexec', 'suspend', 'hibernate'].includes(a))
        ? finding('shutdown', text, SHUTDOWN)
        : null,
  },
  {
    programs: new Set(['init', 'telinit']),
    check: ({ args, text }) => (args.some((a) => a === '0' || a === '6') ? finding('shutdown', text, SHUTDOWN) : null),
  },
  {
    programs: new Set(['kill']),
    check: ({ args, text }) =>
      args.includes('-1') && args.some((a) => /^-(9|KILL|SIGKILL)$/i.test(a) || a === '-s')
        ? finding('kill-all', text, 'kill -9 -1 kills every process you own')
        : null,
  },
  {
    programs: new Set(['redis-cli']),
    check: ({ args, text }) =>
      args.some((a) => /^FLUSH(ALL|DB)$/i.test(a))
        ? finding('redis-flush', text, 'FLUSHALL / FLUSHDB deletes every key')
        : null,
  },
  // SQL typed as a command line (`DROP TABLE users;`), and what a database client executes: its
  // arguments and its stdin.
  { programs: /^(drop|truncate|delete)$/i, check: ({ text }) => checkSql(text, text) },
  {
    programs: SQL_CLIENTS,
    check: ({ args, stdin, text }) => {
      for (const value of [...args, ...(stdin !== undefined ? [stdin] : [])]) {
        const found = checkSql(value, text);
        if (found) return found;
      }
      return null;
    },
  },
];

/** The rule for a program, if one judges it. */
export function ruleFor(program: string): ProgramRule | undefined {
  return PROGRAM_RULES.find((r) => (r.programs instanceof RegExp ? r.programs.test(program) : r.programs.has(program)));
}

/** SQL that drops, truncates or deletes; the finding shows `command`. */
export function checkSql(sql: string, command: string): GuardFinding | null {
  for (const rule of SQL_RULES) if (rule.pattern.test(sql)) return finding(rule.rule, command, rule.what);
  return null;
}

/** The device `of=` names, unless it is a harmless one (/dev/null …). */
function deviceOf(args: string[]): string | undefined {
  const of = args.find((a) => a.startsWith('of='))?.slice(3);
  return of?.startsWith('/dev/') && !SAFE_DEVICES.test(of) ? of : undefined;
}

/**
 * A program known only when the line runs (`$CMD -rf /`), judged by its arguments: blocked when
 * they would be destructive for rm, dd or git, whichever program it turns out to be; `$EDITOR
 * notes.txt` is not. Milder look-alikes (`$X -rf build`, `$X -r .`) pass, since tar -rf and
 * grep -r take the same flags.
 */
export function dynamicProgramRule(word: string, args: string[], text: string): GuardFinding | null {
  const unknown = `the program ${shorten(word, 40)} cannot be determined before it runs`;
  const { recursive, force, noPreserveRoot, operands } = rmOptions(args);
  const target = operands.find(isCritical);
  if (noPreserveRoot || (recursive && force && target !== undefined))
    return finding(
      'dynamic-program',
      text,
      `${unknown}, and as rm these arguments delete ${target ?? '/'} recursively`,
    );
  const of = deviceOf(args);
  if (of) return finding('dynamic-program', text, `${unknown}, and as dd these arguments overwrite the device ${of}`);
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

/** Short flags (letters of -abc clusters) and long flags (--name) before `--`, and the operands. */
export function splitFlags(args: string[]): { flags: Set<string>; long: Set<string>; operands: string[] } {
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

/** What rm's arguments ask for (also read for a program named at run time). */
function rmOptions(args: string[]): {
  recursive: boolean;
  force: boolean;
  noPreserveRoot: boolean;
  operands: string[];
} {
  const { flags, long, operands } = splitFlags(args);
  return {
    recursive: flags.has('r') || flags.has('R') || long.has('--recursive'),
    force: flags.has('f') || long.has('--force'),
    noPreserveRoot: long.has('--no-preserve-root'),
    operands,
  };
}

function rmRule(args: string[], text: string): GuardFinding | null {
  const { recursive, force, noPreserveRoot, operands } = rmOptions(args);
  if (noPreserveRoot) return finding('rm-critical', text, 'rm --no-preserve-root deletes the whole filesystem');
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
export function forkBomb(source: string): string | undefined {
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
