import { ErrorCode, HookboxError } from '../../errors.ts';
import { DOWNLOAD_REASON, downloadTargets, fetches, isFetcher } from './downloads.ts';
import { finding, type GuardFinding } from './guard-finding.ts';
import { checkSql, dynamicProgramRule, forkBomb, ruleFor, splitFlags } from './guard-rules.ts';
import { BLOCK_DEVICE, isSystemPath } from './guard-targets.ts';
import { scanInlineCode } from './inline-code-scan.ts';
import {
  commandLineOf,
  invocationOf,
  languageNamed,
  shebangLanguage,
  type CodeLanguage,
  type Invocation,
  type Language,
} from './interpreters.ts';
import {
  findSubstitutions,
  parseShell,
  ShellSyntaxError,
  type Pipeline,
  type Redirect,
  type SimpleCommand,
} from './shell-parser.ts';
import { basename, coreArgv, optionValue, programName, unwrap, withoutAssignments, wrapperFor } from './wrappers.ts';

// safety-guard: blocks destructive commands wherever they sit in a command line.
//
// This file walks the line; the folder holds one job a file: shell-parser.ts (the line as a shell
// reads it), wrappers.ts (what sudo, env, timeout … run), interpreters.ts (what sh -c, python -c,
// eval, ssh … run), guard-rules.ts (the rules: which program's arguments are destructive),
// inline-code-scan.ts (interpreters' code), downloads.ts (what fetches from the network).
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
//     stdin) is scanned for the same dangers: a pragmatic scan, not a parser (inline-code-scan.ts).
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

const MAX_DEPTH = 8;

const OUTPUT_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>']);

/** A file this command line wrote before running it: what it holds, when the line says. */
type WrittenFile = { downloaded: true } | { downloaded: false; content: string };
const DOWNLOADED: WrittenFile = { downloaded: true };

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
    if (tool && /sql|query|database/i.test(tool) && !/^(bash|shell|sh)$/i.test(tool)) return checkSql(command, command);
    this.#written = new Map();
    return this.#checkScript(command, 0);
  }

  #checkScript(source: string, depth: number): GuardFinding | null {
    if (depth > MAX_DEPTH) return tooDeep(source);
    const bomb = forkBomb(source);
    if (bomb)
      return finding('fork-bomb', bomb, 'a fork bomb (a function that starts copies of itself) exhausts the machine');
    let parsed;
    try {
      parsed = parseShell(source);
    } catch (error) {
      if (!(error instanceof ShellSyntaxError)) throw error;
      return finding('unparsable', source, `the command cannot be parsed (${error.message}), so it cannot be checked`);
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
    const text = patternText(argv, redirects);
    if (text !== '' && this.#allow.some((re) => re.test(text) || re.test(argv.join(' ')))) return null;
    const denied = this.#deny.find((re) => re.test(text));
    if (denied) return finding('user-deny', text, `matches the deny pattern ${denied.source}`);
    for (const r of redirects) {
      if (OUTPUT_REDIRECTS.has(r.op) && BLOCK_DEVICE.test(r.target.text))
        return finding('device-write', text, `writing to the block device ${r.target.text} destroys its data`);
    }
    if (argv.length === 0) return null;
    return this.#rules(argv, stdin, depth);
  }

  /** One simple command, after assignments: the walk into what it runs, then the rule for its program. */
  #rules(argv: string[], stdin: string | undefined, depth: number): GuardFinding | null {
    const text = argv.join(' ');
    const program = programName(argv[0]!);
    const args = argv.slice(1);
    if (program === null) {
      if (findSubstitutions(argv[0]!).some((inner) => fetches(inner)))
        return finding('download-exec', text, DOWNLOAD_REASON);
      return dynamicProgramRule(argv[0]!, args, text) ?? this.#dynamicInlineCode(argv[0]!, args, depth);
    }

    const wrapper = wrapperFor(program);
    if (wrapper) {
      if (wrapper.lookupOnly && args.some((a) => wrapper.lookupOnly!.includes(a))) return null;
      const line = wrapper.commandLine && optionValue(args, wrapper.commandLine);
      if (line !== undefined) return this.#checkScript(line, depth + 1);
      const rest = unwrap(args, wrapper);
      return rest.length > 0 ? this.#checkWords(rest, [], stdin, depth + 1) : null;
    }

    if (argv[0]!.includes('/') && this.#written.has(normalizePath(argv[0]!)))
      return this.#runFile('shell', argv[0]!, text, depth);
    const invocation = invocationOf(program, args);
    if (invocation) return this.#invoke(invocation, stdin, text, depth);
    const line = commandLineOf(program, args);
    if (line !== undefined) return line === null ? null : this.#checkScript(line, depth + 1);
    if (program === 'find') return this.#find(args, depth);
    return ruleFor(program)?.check({ program, args, text, stdin }) ?? null;
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

  /** Inline code of an interpreter (see inline-code-scan.ts for what the scan finds). */
  #checkCode(lang: CodeLanguage, code: string, depth: number): GuardFinding | null {
    if (depth > MAX_DEPTH) return tooDeep(code);
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

function tooDeep(source: string): GuardFinding {
  return finding('too-deep', source, `commands nested more than ${MAX_DEPTH} levels deep cannot be checked`);
}

/** A simple command as the user patterns see it: words after assignments, then redirections. */
function patternText(argv: string[], redirects: readonly Redirect[]): string {
  return [...argv, ...redirects.map((r) => `${r.fd ?? ''}${r.op} ${r.target.text}`)].join(' ');
}

function commandText(command: SimpleCommand): string {
  return patternText(withoutAssignments(command.words.map((w) => w.text)), command.redirects);
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
