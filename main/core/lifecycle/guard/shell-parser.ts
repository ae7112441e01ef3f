// A parser for the part of POSIX sh / bash syntax that decides what a command line runs: words
// with their quoting, operators (; & && || | |& newline ( ) ;;), redirections with here-documents,
// and every command substitution ($(…), `…`, <(…), >(…), also inside double quotes, ${…} and
// unquoted here-documents), whose text is returned for the caller to parse in turn.
//
// It never expands or runs anything. Quote removal is applied, so `r""m '-rf'` reads as the words
// rm and -rf, exactly as the shell would hand them to the program. Two expansions that can smuggle
// a program name past a word-based check are applied as the shell would: `${IFS}` / `$IFS`
// (unquoted) splits words, and an unquoted brace list `{rm,-rf,/}` expands to its items.
//
// Hand-written rather than sh-syntax (mvdan/sh as WASM): its AST gives commands and word parts only
// as positions, so it could not replace this parser, and as a syntax gate in front of it the hook
// command took 13-18% more CPU to start and each check in the hub 26 ms instead of 0.1 ms
// (docs/benchmarks.md, "Shell parser").

export class ShellSyntaxError extends Error {
  override readonly name = 'ShellSyntaxError';
}

export interface ShellWord {
  /** After quote removal; expansions are kept as written (`$HOME`, `$(…)`). */
  text: string;
  /** Some part was quoted or escaped. */
  quoted: boolean;
  /** It contains an expansion whose value is unknown before running ($VAR, $(…), `…`). */
  dynamic: boolean;
}

export interface Redirect {
  /** `>`, `>>`, `>|`, `<`, `<>`, `<<`, `<<-`, `<<<`, `&>`, `&>>`, `>&`, `<&`. */
  op: string;
  fd: string | null;
  target: ShellWord;
  /** For `<<` / `<<-`: the document, and whether $(…) in it runs (unquoted delimiter). */
  heredoc?: { body: string; expands: boolean };
}

export interface SimpleCommand {
  words: ShellWord[];
  redirects: Redirect[];
}

/** Commands joined by `|` / `|&`; a single command is a pipeline of one. */
export interface Pipeline {
  commands: SimpleCommand[];
}

export interface ParsedShell {
  pipelines: Pipeline[];
  /** The source text of every command substitution found anywhere, to be parsed in turn. */
  substitutions: string[];
}

type Token =
  | { kind: 'word'; word: ShellWord }
  | { kind: 'op'; op: string }
  | {
      kind: 'redirect';
      op: string;
      fd: string | null;
      target: ShellWord | null;
      heredoc?: { body: string; expands: boolean; delimiter: string; stripTabs: boolean };
    };

const OPERATORS = [
  ';;&',
  ';;',
  ';&',
  '&&',
  '||',
  '|&',
  '&>>',
  '&>',
  '>>',
  '>|',
  '>&',
  '<<<',
  '<<-',
  '<<',
  '<>',
  '<&',
  ';',
  '&',
  '|',
  '(',
  ')',
  '<',
  '>',
  '\n',
];
const REDIRECT_OPS = new Set(['&>>', '&>', '>>', '>|', '>&', '<<<', '<<-', '<<', '<>', '<&', '<', '>']);
const WORD_END = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
// Reserved words that only introduce the command after them.
const LEADING_KEYWORDS = new Set([
  '{',
  '}',
  '!',
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  'esac',
  ']]',
]);

const ANSI_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

class Lexer {
  readonly #src: string;
  #i = 0;
  readonly substitutions: string[] = [];
  readonly #pendingHeredocs: Array<NonNullable<Extract<Token, { kind: 'redirect' }>['heredoc']>> = [];

  constructor(src: string) {
    this.#src = src;
  }

  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      this.#skipBlanks();
      if (this.#i >= this.#src.length) break;
      const c = this.#src[this.#i]!;
      if (c === '#') {
        while (this.#i < this.#src.length && this.#src[this.#i] !== '\n') this.#i += 1;
        continue;
      }
      if ((c === '<' || c === '>') && this.#src[this.#i + 1] === '(') {
        this.#i += 2;
        const inner = this.#balanced(')');
        this.substitutions.push(inner);
        out.push({ kind: 'word', word: { text: `${c}(${inner})`, quoted: false, dynamic: true } });
        continue;
      }
      const op = OPERATORS.find((o) => this.#src.startsWith(o, this.#i));
      if (op) {
        this.#i += op.length;
        if (op === '\n') {
          out.push({ kind: 'op', op: '\n' });
          this.#readHeredocBodies();
        } else if (REDIRECT_OPS.has(op)) {
          out.push(this.#redirect(op, null));
        } else {
          out.push({ kind: 'op', op });
        }
        continue;
      }
      const word = this.#word();
      // `2>file`, `10<&0`: an unquoted number right before a redirection is its file descriptor.
      if (word.length === 1 && /^\d+$/.test(word[0]!.text) && !word[0]!.quoted) {
        const next = this.#src[this.#i];
        const redirectOp =
          next === '<' || next === '>'
            ? OPERATORS.find((o) => REDIRECT_OPS.has(o) && this.#src.startsWith(o, this.#i))
            : undefined;
        if (redirectOp) {
          this.#i += redirectOp.length;
          out.push(this.#redirect(redirectOp, word[0]!.text));
          continue;
        }
      }
      for (const w of word) out.push({ kind: 'word', word: w });
    }
    if (this.#pendingHeredocs.length > 0) this.#readHeredocBodies();
    return out;
  }

  #skipBlanks(): void {
    for (;;) {
      const c = this.#src[this.#i];
      if (c === ' ' || c === '\t' || c === '\r') this.#i += 1;
      else if (c === '\\' && this.#src[this.#i + 1] === '\n') this.#i += 2;
      else return;
    }
  }

  #redirect(op: string, fd: string | null): Token {
    this.#skipBlanks();
    const words = this.#i < this.#src.length && !WORD_END.has(this.#src[this.#i]!) ? this.#word() : [];
    const target =
      words.length > 0
        ? {
            text: words.map((w) => w.text).join(' '),
            quoted: words.some((w) => w.quoted),
            dynamic: words.some((w) => w.dynamic),
          }
        : null;
    if (!target) throw new ShellSyntaxError(`redirection '${op}' has no target`);
    if (op === '<<' || op === '<<-') {
      const heredoc = { body: '', expands: !target.quoted, delimiter: target.text, stripTabs: op === '<<-' };
      this.#pendingHeredocs.push(heredoc);
      return { kind: 'redirect', op, fd, target, heredoc };
    }
    return { kind: 'redirect', op, fd, target };
  }

  #readHeredocBodies(): void {
    for (const doc of this.#pendingHeredocs.splice(0)) {
      const lines: string[] = [];
      let closed = false;
      while (this.#i < this.#src.length) {
        const end = this.#src.indexOf('\n', this.#i);
        const line = this.#src.slice(this.#i, end === -1 ? this.#src.length : end);
        this.#i = end === -1 ? this.#src.length : end + 1;
        const compared = doc.stripTabs ? line.replace(/^\t+/, '') : line;
        if (compared === doc.delimiter) {
          closed = true;
          break;
        }
        lines.push(compared);
      }
      // bash runs an unterminated here-document with what it has (and warns); so do we.
      void closed;
      doc.body = lines.join('\n');
      if (doc.expands) this.substitutions.push(...findSubstitutions(doc.body));
    }
  }

  /**
   * One word (or several, when an unquoted $IFS splits it or a brace list expands), ending at an
   * unquoted blank or operator character.
   */
  #word(): ShellWord[] {
    const words: ShellWord[] = [];
    let text = '';
    let quoted = false;
    let dynamic = false;
    let plain = true; // no quoting or expansion at all (brace expansion applies)
    const finish = () => {
      if (text !== '' || quoted) words.push({ text, quoted, dynamic });
      text = '';
      quoted = false;
      dynamic = false;
      plain = true;
    };
    const src = this.#src;
    while (this.#i < src.length) {
      const c = src[this.#i]!;
      if (WORD_END.has(c)) break;
      if (c === '\\') {
        const next = src[this.#i + 1];
        this.#i += 2;
        if (next === undefined) break;
        if (next === '\n') continue;
        text += next;
        quoted = true;
        plain = false;
        continue;
      }
      if (c === "'") {
        const end = src.indexOf("'", this.#i + 1);
        if (end === -1) throw new ShellSyntaxError('unterminated single quote');
        text += src.slice(this.#i + 1, end);
        this.#i = end + 1;
        quoted = true;
        plain = false;
        continue;
      }
      if (c === '$' && src[this.#i + 1] === "'") {
        this.#i += 2;
        text += this.#ansiC();
        quoted = true;
        plain = false;
        continue;
      }
      if (c === '"') {
        this.#i += 1;
        const part = this.#doubleQuoted();
        text += part.text;
        dynamic ||= part.dynamic;
        quoted = true;
        plain = false;
        continue;
      }
      if (c === '$') {
        const expansion = this.#dollar();
        if (expansion.ifs) {
          finish();
          continue;
        }
        text += expansion.text;
        dynamic = true;
        plain = false;
        continue;
      }
      if (c === '`') {
        text += this.#backtickSubstitution();
        dynamic = true;
        plain = false;
        continue;
      }
      text += c;
      this.#i += 1;
    }
    if (plain && /^\{[^{}\s]*,[^{}\s]*\}$/.test(text)) {
      // {rm,-rf,/} → rm -rf /
      for (const item of text.slice(1, -1).split(','))
        if (item !== '') words.push({ text: item, quoted: false, dynamic: false });
      return words;
    }
    finish();
    return words;
  }

  #ansiC(): string {
    const src = this.#src;
    let out = '';
    while (this.#i < src.length) {
      const c = src[this.#i]!;
      if (c === "'") {
        this.#i += 1;
        return out;
      }
      if (c === '\\') {
        const next = src[this.#i + 1] ?? '';
        const hex = /^x([0-9A-Fa-f]{1,2})/.exec(src.slice(this.#i + 1));
        const octal = /^([0-7]{1,3})/.exec(src.slice(this.#i + 1));
        const unicode = /^[uU]([0-9A-Fa-f]{1,8})/.exec(src.slice(this.#i + 1));
        if (hex) {
          out += String.fromCharCode(parseInt(hex[1]!, 16));
          this.#i += 1 + hex[0].length;
        } else if (unicode) {
          out += String.fromCodePoint(parseInt(unicode[1]!, 16));
          this.#i += 1 + unicode[0].length;
        } else if (octal) {
          out += String.fromCharCode(parseInt(octal[1]!, 8));
          this.#i += 1 + octal[0].length;
        } else {
          out += ANSI_ESCAPES[next] ?? `\\${next}`;
          this.#i += 2;
        }
        continue;
      }
      out += c;
      this.#i += 1;
    }
    throw new ShellSyntaxError("unterminated $'…' quote");
  }

  #doubleQuoted(): { text: string; dynamic: boolean } {
    const src = this.#src;
    let text = '';
    let dynamic = false;
    while (this.#i < src.length) {
      const c = src[this.#i]!;
      if (c === '"') {
        this.#i += 1;
        return { text, dynamic };
      }
      if (c === '\\') {
        const next = src[this.#i + 1] ?? '';
        this.#i += 2;
        if (next === '\n') continue;
        text += '$`"\\'.includes(next) ? next : `\\${next}`;
        continue;
      }
      if (c === '$') {
        const expansion = this.#dollar(true);
        text += expansion.text;
        dynamic = true;
        continue;
      }
      if (c === '`') {
        text += this.#backtickSubstitution();
        dynamic = true;
        continue;
      }
      text += c;
      this.#i += 1;
    }
    throw new ShellSyntaxError('unterminated double quote');
  }

  /** At a `$`: a substitution, arithmetic, a parameter, or a lone dollar sign. */
  #dollar(inDoubleQuotes = false): { text: string; ifs: boolean } {
    const src = this.#src;
    const start = this.#i;
    if (src.startsWith('$((', this.#i)) {
      this.#i += 3;
      const inner = this.#balanced(')', 2);
      // Arithmetic can hold substitutions too: $(( $(rm -rf /) + 1 )).
      this.substitutions.push(...findSubstitutions(inner));
      return { text: src.slice(start, this.#i), ifs: false };
    }
    if (src.startsWith('$(', this.#i)) {
      this.#i += 2;
      const inner = this.#balanced(')');
      this.substitutions.push(inner);
      return { text: `$(${inner})`, ifs: false };
    }
    if (src.startsWith('${', this.#i)) {
      this.#i += 2;
      const inner = this.#balanced('}');
      this.substitutions.push(...findSubstitutions(inner));
      return { text: `\${${inner}}`, ifs: !inDoubleQuotes && inner === 'IFS' };
    }
    const name = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(src.slice(this.#i));
    if (name) {
      this.#i += name[0].length;
      return { text: name[0], ifs: !inDoubleQuotes && name[1] === 'IFS' };
    }
    this.#i += 1;
    return { text: '$', ifs: false };
  }

  /** At a backtick: reads the command it substitutes, records it, returns its text. */
  #backtickSubstitution(): string {
    this.#i += 1;
    const inner = this.#backtick();
    this.substitutions.push(inner);
    return `\`${inner}\``;
  }

  #backtick(): string {
    const src = this.#src;
    let inner = '';
    while (this.#i < src.length) {
      const c = src[this.#i]!;
      if (c === '`') {
        this.#i += 1;
        return inner;
      }
      if (c === '\\' && '$`\\'.includes(src[this.#i + 1] ?? '')) {
        inner += src[this.#i + 1];
        this.#i += 2;
        continue;
      }
      inner += c;
      this.#i += 1;
    }
    throw new ShellSyntaxError('unterminated backquote');
  }

  /** Reads up to the `close` that balances an already consumed opener; returns the inside. */
  #balanced(close: ')' | '}', depth = 1): string {
    const { end, inner } = scanBalanced(this.#src, this.#i, close, depth);
    this.#i = end;
    return inner;
  }
}

/** From `from` (just after an opener) to the matching closer, skipping quotes and nested pairs. */
function scanBalanced(src: string, from: number, close: ')' | '}', depth: number): { end: number; inner: string } {
  const open = close === ')' ? '(' : '{';
  let i = from;
  let level = depth;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end === -1) throw new ShellSyntaxError('unterminated single quote');
      i = end + 1;
      continue;
    }
    if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length)
        throw new ShellSyntaxError(c === '"' ? 'unterminated double quote' : 'unterminated backquote');
      i = j + 1;
      continue;
    }
    if (c === open) level += 1;
    else if (c === close) {
      level -= 1;
      if (level === 0) {
        // For $(( … )) the inside ends before the first of the two closers.
        const innerEnd = depth === 2 ? i - 1 : i;
        return { end: i + 1, inner: src.slice(from, Math.max(from, innerEnd)) };
      }
    }
    i += 1;
  }
  throw new ShellSyntaxError(`unterminated ${close === ')' ? '$(' : '${'}`);
}

/** Every $(…) and `…` in text where quotes do not protect them (here-documents, ${…}, $((…))). */
export function findSubstitutions(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '$' && text[i + 1] === '(' && text[i + 2] !== '(') {
      try {
        const { end, inner } = scanBalanced(text, i + 2, ')', 1);
        found.push(inner);
        i = end;
      } catch {
        found.push(text.slice(i + 2));
        return found;
      }
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      found.push(text.slice(i + 1, end === -1 ? undefined : end));
      if (end === -1) return found;
      i = end + 1;
      continue;
    }
    i += 1;
  }
  return found;
}

/** Parses a command line into pipelines of simple commands. Throws ShellSyntaxError. */
export function parseShell(source: string): ParsedShell {
  const lexer = new Lexer(source);
  const tokens = lexer.tokens();
  const pipelines: Pipeline[] = [];
  let pipeline: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], redirects: [] };
  const endCommand = () => {
    if (current.words.length > 0 || current.redirects.length > 0) pipeline.push(current);
    current = { words: [], redirects: [] };
  };
  const endPipeline = () => {
    endCommand();
    if (pipeline.length > 0) pipelines.push({ commands: pipeline });
    pipeline = [];
  };
  for (const token of tokens) {
    if (token.kind === 'word') {
      if (current.words.length === 0 && !token.word.quoted && LEADING_KEYWORDS.has(token.word.text)) continue;
      current.words.push(token.word);
    } else if (token.kind === 'redirect') {
      current.redirects.push({
        op: token.op,
        fd: token.fd,
        target: token.target!,
        ...(token.heredoc ? { heredoc: { body: token.heredoc.body, expands: token.heredoc.expands } } : {}),
      });
    } else if (token.op === '|' || token.op === '|&') {
      endCommand();
    } else {
      endPipeline();
    }
  }
  endPipeline();
  return { pipelines, substitutions: lexer.substitutions };
}

/**
 * Splits a config `command` string into argv the way a shell would split words, without running
 * a shell: quotes group, backslashes escape. Anything that would need a shell to mean what it says
 * (operators, redirections, $VAR, substitutions, globs are fine as literal words) is an error.
 */
export function splitCommandLine(text: string): string[] {
  const parsed = parseShell(text);
  const [only, ...rest] = parsed.pipelines;
  if (rest.length > 0 || (only && only.commands.length > 1))
    throw new ShellSyntaxError(
      'it contains shell operators (; && || | &); use command = ["sh", "-c", "…"] to run a shell',
    );
  const command = only?.commands[0];
  if (!command || command.words.length === 0) throw new ShellSyntaxError('it is empty');
  if (command.redirects.length > 0)
    throw new ShellSyntaxError(
      `it contains a redirection (${command.redirects[0]!.op}); use command = ["sh", "-c", "…"] to run a shell`,
    );
  const dynamic = command.words.find((w) => w.dynamic);
  if (dynamic)
    throw new ShellSyntaxError(
      `'${dynamic.text}' needs a shell to expand; hooks run without one (use command = ["sh", "-c", "…"])`,
    );
  return command.words.map((w) => w.text);
}
