// The shell parser on its own: what a command line runs, word by word, as sh / bash would split
// it. The safety guard's verdicts rest on these answers (safety-guard.test.ts tests the verdicts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  findSubstitutions,
  parseShell,
  ShellSyntaxError,
  splitCommandLine,
  type ParsedShell,
} from '../../../../main/core/lifecycle/guard/shell-parser.ts';

/** Each pipeline as its commands' words: `a | b; c` → [[['a'], ['b']], [['c']]]. */
function words(parsed: ParsedShell): string[][][] {
  return parsed.pipelines.map((p) => p.commands.map((c) => c.words.map((w) => w.text)));
}

function wordsOf(source: string): string[][][] {
  return words(parseShell(source));
}

describe('shell parser: words and quoting', () => {
  test('blanks split words; quotes group them and are removed', () => {
    assert.deepEqual(wordsOf('echo  a\tb'), [[['echo', 'a', 'b']]]);
    assert.deepEqual(wordsOf(`grep -r "rm -rf" 'docs dir'`), [[['grep', '-r', 'rm -rf', 'docs dir']]]);
    assert.deepEqual(wordsOf(`r""m '-rf' x"y"'z'`), [[['rm', '-rf', 'xyz']]]);
    // An empty quoted word is still a word.
    assert.deepEqual(wordsOf(`printf '' ""`), [[['printf', '', '']]]);
  });

  test('single quotes keep everything literal; double quotes keep $ and backslash rules', () => {
    const [single] = parseShell(`echo '$HOME \\n "x"'`).pipelines[0]!.commands;
    assert.deepEqual(
      single!.words.map((w) => [w.text, w.quoted, w.dynamic]),
      [
        ['echo', false, false],
        ['$HOME \\n "x"', true, false],
      ],
    );
    const [double] = parseShell(`echo "a \\" \\$HOME \\\\ \\n $USER"`).pipelines[0]!.commands;
    assert.deepEqual(
      double!.words.map((w) => [w.text, w.dynamic]),
      [
        ['echo', false],
        ['a " $HOME \\ \\n $USER', true],
      ],
    );
  });

  test("$'…' decodes C escapes: hex, octal, unicode, named", () => {
    assert.deepEqual(wordsOf(`$'\\x72m' $'\\162m' $'\\u0072m' $'a\\tb\\'c'`), [[['rm', 'rm', 'rm', "a\tb'c"]]]);
  });

  test('a backslash escapes one character outside quotes, and joins lines before a newline', () => {
    assert.deepEqual(wordsOf('echo a\\ b \\$HOME \\;'), [[['echo', 'a b', '$HOME', ';']]]);
    assert.deepEqual(wordsOf('rm \\\n -rf \\\n /'), [[['rm', '-rf', '/']]]);
    assert.equal(parseShell('echo \\$HOME').pipelines[0]!.commands[0]!.words[1]!.quoted, true);
  });

  test('unquoted $IFS splits words and a brace list expands, as the shell would', () => {
    assert.deepEqual(wordsOf('rm${IFS}-rf$IFS/'), [[['rm', '-rf', '/']]]);
    assert.deepEqual(wordsOf('{rm,-rf,/}'), [[['rm', '-rf', '/']]]);
    // Quoted, neither applies.
    assert.deepEqual(wordsOf(`echo "a\${IFS}b" '{x,y}'`), [[['echo', 'a${IFS}b', '{x,y}']]]);
  });

  test('expansions are kept as written and mark the word dynamic', () => {
    const [command] = parseShell('$CMD ${RM:-rm} "$(which rm)" plain').pipelines[0]!.commands;
    assert.deepEqual(
      command!.words.map((w) => [w.text, w.dynamic]),
      [
        ['$CMD', true],
        ['${RM:-rm}', true],
        ['$(which rm)', true],
        ['plain', false],
      ],
    );
  });

  test('a comment runs to the end of its line; # inside a word is not one', () => {
    assert.deepEqual(wordsOf('ls # rm -rf /\necho a#b'), [[['ls']], [['echo', 'a#b']]]);
    assert.deepEqual(wordsOf(`echo '# not a comment'`), [[['echo', '# not a comment']]]);
  });

  test('reserved words that only introduce a command are not its program', () => {
    assert.deepEqual(wordsOf('if true; then rm x; fi'), [[['true']], [['rm', 'x']]]);
    assert.deepEqual(wordsOf('while read l; do echo "$l"; done'), [[['read', 'l']], [['echo', '$l']]]);
    assert.deepEqual(wordsOf('! grep x f'), [[['grep', 'x', 'f']]]);
    // Quoted, a keyword is a program name.
    assert.deepEqual(wordsOf(`'if' x`), [[['if', 'x']]]);
  });
});

describe('shell parser: operators', () => {
  test('| and |& join a pipeline; ; & && || and newlines end one', () => {
    assert.deepEqual(wordsOf('a | b |& c'), [[['a'], ['b'], ['c']]]);
    assert.deepEqual(wordsOf('a; b & c && d || e\nf'), [[['a']], [['b']], [['c']], [['d']], [['e']], [['f']]]);
    assert.deepEqual(wordsOf('cat x|sort&&echo ok'), [[['cat', 'x'], ['sort']], [['echo', 'ok']]]);
  });

  test('a subshell and a group run their commands: each is found', () => {
    assert.deepEqual(wordsOf('(cd build && rm -rf *)'), [[['cd', 'build']], [['rm', '-rf', '*']]]);
    assert.deepEqual(wordsOf('{ a; b; }'), [[['a']], [['b']]]);
  });

  test('operators inside quotes are text', () => {
    assert.deepEqual(wordsOf(`echo 'a; b' "c && d" e\\|f`), [[['echo', 'a; b', 'c && d', 'e|f']]]);
  });
});

describe('shell parser: command substitutions', () => {
  test('$(…), backticks and <(…) / >(…) are returned for the caller to parse in turn', () => {
    assert.deepEqual(parseShell('echo $(date) `whoami`').substitutions, ['date', 'whoami']);
    assert.deepEqual(parseShell('diff <(sort a) >(tee b)').substitutions, ['sort a', 'tee b']);
    assert.deepEqual(wordsOf('diff <(sort a) b'), [[['diff', '<(sort a)', 'b']]]);
  });

  test('they are found inside double quotes, ${…} and $((…)), not inside single quotes', () => {
    assert.deepEqual(parseShell('echo "now: $(date)"').substitutions, ['date']);
    assert.deepEqual(parseShell('echo ${X:-$(rm -rf /)}').substitutions, ['rm -rf /']);
    assert.deepEqual(parseShell('echo $(( $(wc -l < f) + 1 ))').substitutions, ['wc -l < f']);
    assert.deepEqual(parseShell(`echo '$(rm -rf /)' '\`x\`'`).substitutions, []);
  });

  test('nested substitutions come back whole; a ) inside quotes does not end one', () => {
    const parsed = parseShell(`echo $(echo $(echo ')') "x)")`);
    assert.deepEqual(parsed.substitutions, [`echo $(echo ')') "x)"`]);
    assert.deepEqual(parseShell(parsed.substitutions[0]!).substitutions, [`echo ')'`]);
  });

  test('a backslash-escaped backtick inside backticks is part of the inner command', () => {
    assert.deepEqual(parseShell('echo `echo \\`date\\``').substitutions, ['echo `date`']);
  });

  test('findSubstitutions reads them out of plain text, even unterminated', () => {
    assert.deepEqual(findSubstitutions('a $(b) `c` \\$(d) $((1+2))'), ['b', 'c']);
    assert.deepEqual(findSubstitutions('x $(rm -rf /'), ['rm -rf /']);
    assert.deepEqual(findSubstitutions('x `rm -rf /'), ['rm -rf /']);
  });
});

describe('shell parser: redirections and here-documents', () => {
  test('operators, file descriptors and targets', () => {
    const [command] = parseShell('cmd <in >out 2>>err &>all 2>&1 >|force 3<>rw').pipelines[0]!.commands;
    assert.deepEqual(
      command!.words.map((w) => w.text),
      ['cmd'],
    );
    assert.deepEqual(
      command!.redirects.map((r) => [r.fd, r.op, r.target.text]),
      [
        [null, '<', 'in'],
        [null, '>', 'out'],
        ['2', '>>', 'err'],
        [null, '&>', 'all'],
        ['2', '>&', '1'],
        [null, '>|', 'force'],
        ['3', '<>', 'rw'],
      ],
    );
    // A quoted number is a word, not a descriptor.
    const [quoted] = parseShell(`echo '2'>x`).pipelines[0]!.commands;
    assert.deepEqual([quoted!.words.map((w) => w.text), quoted!.redirects.map((r) => r.fd)], [['echo', '2'], [null]]);
  });

  test('a redirection without a target is a syntax error', () => {
    assert.throws(() => parseShell('echo >'), ShellSyntaxError);
    assert.throws(() => parseShell('echo > ;'), /redirection '>' has no target/);
  });

  test('a here-document body is read after the line; the command goes on after it', () => {
    const parsed = parseShell('psql app <<SQL\nDROP TABLE x;\nSQL\necho done');
    assert.deepEqual(words(parsed), [[['psql', 'app']], [['echo', 'done']]]);
    const [redirect] = parsed.pipelines[0]!.commands[0]!.redirects;
    assert.deepEqual(redirect, {
      op: '<<',
      fd: null,
      target: { text: 'SQL', quoted: false, dynamic: false },
      heredoc: { body: 'DROP TABLE x;', expands: true },
    });
  });

  test('<<- strips leading tabs; two documents on one line are read in order', () => {
    const parsed = parseShell('cat <<-A <<B\n\tone\n\tA\ntwo\nB');
    const docs = parsed.pipelines[0]!.commands[0]!.redirects.map((r) => r.heredoc?.body);
    assert.deepEqual(docs, ['one', 'two']);
  });

  test('an unquoted delimiter expands $(…) in the body; a quoted one keeps it text', () => {
    assert.deepEqual(parseShell('cat <<EOF\n$(rm -rf /)\nEOF').substitutions, ['rm -rf /']);
    const quoted = parseShell("cat <<'EOF'\n$(rm -rf /)\nEOF");
    assert.deepEqual(quoted.substitutions, []);
    assert.deepEqual(quoted.pipelines[0]!.commands[0]!.redirects[0]!.heredoc, {
      body: '$(rm -rf /)',
      expands: false,
    });
  });

  test('an unterminated here-document holds the rest of the input, as bash runs it', () => {
    const parsed = parseShell('bash <<EOF\nrm -rf /\n');
    assert.equal(parsed.pipelines[0]!.commands[0]!.redirects[0]!.heredoc?.body, 'rm -rf /');
  });

  test('a here-string is a redirection whose target is the text', () => {
    const [command] = parseShell(`sh <<< 'rm -rf /'`).pipelines[0]!.commands;
    assert.deepEqual(
      command!.redirects.map((r) => [r.op, r.target.text]),
      [['<<<', 'rm -rf /']],
    );
  });
});

describe('shell parser: errors', () => {
  test('unterminated quotes and substitutions are syntax errors that say which', () => {
    for (const [source, message] of [
      [`echo 'x`, /unterminated single quote/],
      ['echo "x', /unterminated double quote/],
      ["echo $'x", /unterminated \$'…' quote/],
      ['echo `x', /unterminated backquote/],
      ['echo $(x', /unterminated \$\(/],
      ['echo ${x', /unterminated \$\{/],
    ] as const) {
      assert.throws(
        () => parseShell(source),
        (error: Error) => error instanceof ShellSyntaxError && message.test(error.message),
        source,
      );
    }
  });

  test('an empty line or a comment alone has no commands', () => {
    assert.deepEqual(parseShell('').pipelines, []);
    assert.deepEqual(parseShell('  # just a note\n').pipelines, []);
  });
});

describe('splitCommandLine (a config command run without a shell)', () => {
  test('splits words the way a shell would', () => {
    assert.deepEqual(splitCommandLine(`node "my script.js" --name='a b' x\\ y`), [
      'node',
      'my script.js',
      '--name=a b',
      'x y',
    ]);
  });

  test('refuses what needs a shell: operators, redirections, expansions, nothing', () => {
    assert.throws(() => splitCommandLine('a && b'), /shell operators/);
    assert.throws(() => splitCommandLine('a | b'), /shell operators/);
    assert.throws(() => splitCommandLine('a > out'), /redirection \(>\)/);
    assert.throws(() => splitCommandLine('echo $HOME'), /'\$HOME' needs a shell to expand/);
    assert.throws(() => splitCommandLine('  '), /it is empty/);
  });
});
