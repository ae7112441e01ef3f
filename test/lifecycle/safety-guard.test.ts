// safety-guard against a table of commands, dangerous and safe. The rule for quoted text: it is
// data, not a command — `grep -r "rm -rf" docs/` and `echo "DROP TABLE" > notes.txt` pass — unless
// a program runs it as a command (sh -c, bash <<EOF, echo … | sh, eval, ssh host '…', $(…) even
// inside double quotes) or a database client executes it as SQL (its arguments and stdin).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SafetyGuard } from '../../main/core/lifecycle/builtins/safety-guard.ts';
import { parseLifecycleConfig } from '../../main/core/lifecycle/lifecycle-config.ts';
import { runLocalChain } from '../../main/core/lifecycle/lifecycle-local.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// [command, the rule that must block it]
const DANGEROUS: Array<[string, string]> = [
  ['rm -rf /', 'rm-recursive-force'],
  ['cat x; rm -rf /', 'rm-recursive-force'],
  ['echo ok && git push --force origin main', 'git-push-force'],
  ['$(rm -rf ~)', 'rm-recursive-force'],
  ["sh -c 'rm -rf /'", 'rm-recursive-force'],
  ['bash -c "rm -rf ~"', 'rm-recursive-force'],
  ["bash -lc 'cd /srv && rm -fr data'", 'rm-recursive-force'],
  ['DROP TABLE users;', 'sql-drop'],
  ['psql -c "DROP TABLE users"', 'sql-drop'],
  ['echo "drop table users" | psql app', 'sql-drop'],
  ["mysql -e 'TRUNCATE TABLE logs'", 'sql-truncate'],
  ['sqlite3 app.db "DELETE FROM users"', 'sql-delete'],
  ['psql app <<SQL\nDROP DATABASE app;\nSQL', 'sql-drop'],
  [':(){ :|:& };:', 'fork-bomb'],
  ['bomb() { bomb | bomb & }; bomb', 'fork-bomb'],
  ['dd if=/dev/zero of=/dev/sda', 'dd-device'],
  ['dd if=disk.img of=/dev/nvme0n1 bs=4M status=progress', 'dd-device'],
  ['cat image.iso > /dev/sdb', 'device-write'],
  ['chmod 000 secrets.txt', 'chmod-000'],
  ['chmod -R 0000 /etc', 'chmod-000'],
  ['mkfs.ext4 /dev/sdb1', 'mkfs'],
  ['git reset --hard HEAD~3', 'git-reset-hard'],
  ['git push -f', 'git-push-force'],
  ['git push origin +main', 'git-push-force'],
  ['git -C repo push --force-with-lease', 'git-push-force'],
  ['git clean -fdx', 'git-clean-force'],
  ['sudo rm -rf /var/lib/postgresql', 'rm-recursive-force'],
  ['r""m -rf /', 'rm-recursive-force'],
  ["$'\\x72m' -rf /", 'rm-recursive-force'],
  ['{rm,-rf,/}', 'rm-recursive-force'],
  ['rm${IFS}-rf${IFS}/', 'rm-recursive-force'],
  ['echo "$(rm -rf /)"', 'rm-recursive-force'],
  ['echo `rm -rf /`', 'rm-recursive-force'],
  ['diff <(rm -rf ~) b', 'rm-recursive-force'],
  ['ls | xargs rm -rf', 'rm-recursive-force'],
  ['find / -delete', 'find-delete'],
  ['find . -name "*.tmp" -exec rm -rf {} \\;', 'rm-recursive-force'],
  ['bash <<EOF\nrm -rf /\nEOF', 'rm-recursive-force'],
  ['cat <<EOF\n$(rm -rf /)\nEOF', 'rm-recursive-force'],
  ["echo 'rm -rf /' | sh", 'rm-recursive-force'],
  ['eval "rm -rf /"', 'rm-recursive-force'],
  ["ssh prod 'rm -rf /srv'", 'rm-recursive-force'],
  ['env FOO=1 rm -rf /tmp/x', 'rm-recursive-force'],
  ['timeout 5 git reset --hard', 'git-reset-hard'],
  ['nohup rm -rf ~ &', 'rm-recursive-force'],
  ['true || rm -rf .', 'rm-recursive-force'],
  ['if true; then git push --force; fi', 'git-push-force'],
  ['(cd build && rm -rf *)', 'rm-recursive-force'],
  ['rm -r /', 'rm-critical'],
  ['rm --recursive --force node_modules', 'rm-recursive-force'],
  ['shutdown -h now', 'shutdown'],
  ['kill -9 -1', 'kill-all'],
  ['redis-cli FLUSHALL', 'redis-flush'],
  ['chown -R root:root /', 'chown-root'],
  ['echo "unterminated', 'unparsable'],
];

const SAFE = [
  'rm file.txt',
  'rm -r build/',
  'rm -f stale.lock',
  'git push origin feature',
  'git push -u origin feature/login',
  'git reset --soft HEAD~1',
  'git status && git diff',
  'git clean -n',
  'ls -la',
  'grep -r "rm -rf" docs/',
  "grep -rn 'git push --force' .",
  'echo "DROP TABLE" > notes.txt',
  'git commit -m "fix: rm -rf handling in cleanup"',
  "echo 'git push --force' >> notes.md",
  'psql -c "SELECT * FROM users WHERE id = 1"',
  'sqlite3 app.db "SELECT count(*) FROM events"',
  'cat schema.sql | grep "DROP TABLE"',
  'chmod 644 file',
  'chmod +x script.sh',
  'chmod -x old.sh',
  'dd if=/dev/zero of=./disk.img bs=1M count=10',
  'echo hi > /dev/null 2>&1',
  'docker run --rm -it ubuntu',
  'npm run build && npm test',
  "find . -name '*.log' -delete",
  'kill -9 1234',
  'mkdir -p a/b',
  "bash -c 'echo hello'",
  'sudo apt-get install -y jq',
  'git log --oneline | head -20',
  'echo hi # rm -rf /',
  'python3 -m pytest -q',
  'man rm',
  'which mkfs',
  "cat <<'EOF'\n$(rm -rf /)\nEOF",
  'truncate -s 0 app.log',
];

describe('safety-guard: the command table', () => {
  const guard = new SafetyGuard();
  test(`${DANGEROUS.length} dangerous commands are blocked, each by the right rule`, () => {
    assert.ok(DANGEROUS.length + SAFE.length >= 40);
    const wrong = DANGEROUS.map(([command, rule]) => ({ command, want: rule, got: guard.check(command)?.rule ?? 'allowed' })).filter((r) => r.want !== r.got);
    assert.deepEqual(wrong, []);
  });

  test(`${SAFE.length} safe look-alikes pass (quoted text is data unless something runs it)`, () => {
    const blocked = SAFE.map((command) => ({ command, finding: guard.check(command) })).filter((r) => r.finding !== null);
    assert.deepEqual(blocked, []);
  });

  test('the reason names what is dangerous and the simple command that does it', () => {
    assert.deepEqual(guard.check('cat notes.txt; sudo rm -rf / --no-preserve-root'), { rule: 'rm-critical', command: 'rm -rf / --no-preserve-root', reason: 'rm --no-preserve-root deletes the whole filesystem' });
    assert.deepEqual(guard.check('echo ok && git push --force origin main'), { rule: 'git-push-force', command: 'git push --force origin main', reason: 'git push --force overwrites the remote history' });
  });

  test('a SQL tool is checked as SQL, not as a shell line', () => {
    assert.equal(guard.check('DELETE FROM sessions', 'execute_sql')?.rule, 'sql-delete');
    assert.equal(guard.check('SELECT 1', 'query'), null);
  });
});

describe('safety-guard: user deny and allow patterns', () => {
  test('allow exempts one whole simple command only: an allowed `cat …` never lets the `rm -rf /` after it through', () => {
    const guard = new SafetyGuard({ allow: ['cat .*', 'rm -rf (node_modules|dist)'] });
    assert.equal(guard.check('cat x; rm -rf /')?.rule, 'rm-recursive-force');
    assert.equal(guard.check('rm -rf node_modules'), null);
    assert.equal(guard.check('rm -rf node_modules /')?.rule, 'rm-recursive-force', 'anchored: extra words are not allowed');
    assert.equal(guard.check('rm -rf node_modules && git push -f')?.rule, 'git-push-force');
  });

  test('deny adds rules, anywhere in the line; /…/i for flags', () => {
    const guard = new SafetyGuard({ deny: ['terraform\\s+destroy', '/kubectl delete ns/i'] });
    assert.deepEqual(guard.check('cd infra && terraform destroy -auto-approve'), { rule: 'user-deny', command: 'terraform destroy -auto-approve', reason: 'matches the deny pattern terraform\\s+destroy' });
    assert.equal(guard.check('bash -c "KUBECTL DELETE NS prod"')?.rule, 'user-deny');
    assert.equal(guard.check('terraform plan'), null);
  });

  test('patterns come from the config; a bad one is a config error naming file, event, handler and field', async () => {
    const dir = tempDir();
    const file = join(dir, 'config.toml');
    const toml = (deny: string) => ({ pre_tool_call: [{ name: 'safety-check', builtin: 'safety-guard', deny: [deny], allow: ['make clean'] }] });
    const config = parseLifecycleConfig(toml('terraform\\s+destroy'), { file, env: {}, resolveSecrets: false });
    const run = await runLocalChain(config, 'pre-tool-call', { tool_call: { name: 'bash', command: 'terraform destroy' } }, {});
    assert.deepEqual([run.allowed, run.hook, run.reason], [false, 'safety-check', 'matches the deny pattern terraform\\s+destroy: terraform destroy']);
    assert.throws(() => parseLifecycleConfig(toml('(unclosed'), { file, env: {}, resolveSecrets: false }), {
      message: new RegExp(`^${file}: lifecycle event 'pre_tool_call' handler 'safety-check': 'deny': invalid pattern "\\(unclosed": .*$`),
    });
  });
});
