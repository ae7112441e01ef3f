// The example hook scripts of the Octomind seeds (000: Python Jira, Node Slack, Bash git push,
// Ruby alert, Go deploy; 001: the GitHub push script), committed verbatim under
// test/fixtures/seed-hooks/, run by ONE real `hookbox serve` whose config is an Octomind config
// (name, bind, script, timeout only). Realistic payloads and headers go in over HTTP; the inbox
// must then hold exactly what each script printed, and an ignored event must add nothing.
// The expected messages are written out here by hand, not computed by running the scripts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { HOOKBOX_CLI, REPO_ROOT, startServe } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { runs, skipWithout } from '../../helpers/toolchain.ts';

const SCRIPTS = join(REPO_ROOT, 'test/fixtures/seed-hooks');

// Skipped where a toolchain is missing, except under CI, where a missing one fails (helpers/toolchain.ts).
const missing = {
  python: skipWithout(runs('python3', ['--version']), 'python3'),
  jq: skipWithout(runs('jq', ['--version']), 'jq (the bash scripts need it)'),
  ruby: skipWithout(runs('ruby', ['--version']), 'ruby'),
  go: skipWithout(runs('go', ['version']), 'go (golang-go)'),
};

// Octomind's own [[hooks]] fields only: an Octomind config file must work unchanged.
const HOOKS: Array<{ name: string; script: string; timeout: number }> = [
  { name: 'jira', script: 'jira.py', timeout: 30 },
  { name: 'slack', script: 'slack.js', timeout: 10 },
  { name: 'git-push', script: 'git-push.sh', timeout: 30 },
  { name: 'github-push', script: 'process-github-push.sh', timeout: 30 },
  { name: 'monitoring', script: 'alerts.rb', timeout: 15 },
  // go run compiles first; the first run on a cold build cache is slow.
  { name: 'deploy', script: 'deploy-go-run.sh', timeout: 120 },
];

function writeConfig(dir: string, hooks = HOOKS): string {
  const file = join(dir, 'config.toml');
  const entries = hooks.map(
    (h) =>
      `[[hooks]]\nname = "${h.name}"\nbind = "127.0.0.1:0"\nscript = "${join(SCRIPTS, h.script)}"\ntimeout = ${h.timeout}\n`,
  );
  writeFileSync(file, entries.join('\n'));
  return file;
}

/** hook name → port, from the `hook NAME listening on HOST:PORT → session S` log lines. */
function hookPorts(output: string): Map<string, number> {
  const ports = new Map<string, number>();
  for (const match of output.matchAll(/hook (\S+) listening on 127\.0\.0\.1:(\d+) → session (\S+)/g))
    ports.set(match[1]!, Number(match[2]));
  return ports;
}

// ---------------------------------------------------------------------------------------------
// Payloads and headers as the real senders shape them (trimmed to the fields that matter).

const JIRA_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'user-agent': 'Atlassian Webhook HTTP Client',
  'x-atlassian-webhook-identifier': '1702339814221',
};

function jiraIssue(fields: Record<string, unknown>) {
  return {
    id: '10042',
    self: 'https://acme.atlassian.net/rest/api/2/issue/10042',
    key: 'OPS-1423',
    fields: {
      issuetype: { name: 'Bug' },
      project: { key: 'OPS', name: 'Operations' },
      status: { name: 'To Do' },
      ...fields,
    },
  };
}

const jiraCreated = {
  timestamp: 1_702_339_814_221,
  webhookEvent: 'jira:issue_created',
  issue_event_type_name: 'issue_created',
  user: { displayName: 'Dana Whitfield', accountId: '5b10a2844c20165700ede21g' },
  issue: jiraIssue({
    summary: 'Checkout returns 502 when the cart has more than 50 items',
    description:
      'Since Tuesday, POST /api/checkout fails with a 502 from the gateway for large carts.\nSmaller carts are fine.',
    priority: { name: 'High', id: '2' },
    assignee: { displayName: 'Priya Raman', accountId: '5b10ac8d82e05b22cc7d4ef5' },
  }),
};

function jiraUpdated(from: string, to: string) {
  return {
    timestamp: 1_702_340_000_000,
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: { displayName: 'Priya Raman' },
    issue: jiraIssue({
      summary: 'Checkout returns 502 when the cart has more than 50 items',
      priority: { name: 'High' },
      status: { name: to },
    }),
    changelog: {
      id: '10123',
      items: [
        {
          field: 'assignee',
          fieldtype: 'jira',
          from: null,
          fromString: null,
          to: '5b10ac8d82e05b22cc7d4ef5',
          toString: 'Priya Raman',
        },
        { field: 'status', fieldtype: 'jira', from: '10000', fromString: from, to: '10002', toString: to },
      ],
    },
  };
}

const SLACK_SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

function slackHeaders(body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SLACK_SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/json',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signature,
  };
}

const slackMention = {
  token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
  team_id: 'T061EG9R6',
  api_app_id: 'A0MDYCDME',
  type: 'event_callback',
  event_id: 'Ev0MDYHUEL',
  event_time: 1_702_339_900,
  event: {
    type: 'app_mention',
    user: 'U061F7AUR',
    text: '<@U0LAN0Z89> why did the nightly build fail on `main`?',
    ts: '1702339900.000200',
    channel: 'C0LAN2Q65',
    event_ts: '1702339900.000200',
  },
};

const slackChallenge = {
  token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
  challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
  type: 'url_verification',
};

const GITHUB_SECRET = 'It\u2019s a Secret to Everybody';

function githubHeaders(body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/c9d6c0a',
    'x-github-event': 'push',
    'x-github-delivery': randomUUID(),
    'x-github-hook-id': '292430182',
    'x-hub-signature-256': `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`,
  };
}

function githubPush(branch: string, commits: Array<{ message: string; author: string; modified: string[] }>) {
  return {
    ref: `refs/heads/${branch}`,
    before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    after: '59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
    repository: { id: 186853002, name: 'storefront', full_name: 'acme/storefront', default_branch: 'main' },
    pusher: { name: 'octocat', email: 'octocat@github.com' },
    commits: commits.map((c, i) => ({
      id: `${i}b20b8d5c6ff8d09518454d4dd8b7b30f095ab5`,
      message: c.message,
      timestamp: `2024-03-11T10:15:0${i}Z`,
      author: { name: c.author, email: `${c.author.split(' ')[0]!.toLowerCase()}@acme.dev` },
      added: [],
      removed: [],
      modified: c.modified,
    })),
  };
}

const pushToMain = githubPush('main', [
  {
    message: 'Fix cart total rounding for discounted items',
    author: 'Priya Raman',
    modified: ['src/cart/total.ts', 'src/cart/discount.ts'],
  },
  {
    message: 'Add regression test for large carts',
    author: 'Dana Whitfield',
    modified: ['test/cart/total.test.ts', 'src/cart/total.ts'],
  },
]);
const pushToFeature = githubPush('feature/gift-cards', [
  { message: 'WIP gift card balance', author: 'Sam Okafor', modified: ['src/giftcards/balance.ts'] },
]);

function alert(severity: string) {
  return {
    alert_id: 'a-7f3e9c',
    severity,
    service: 'payments-api',
    message: severity === 'critical' ? 'Error rate above 5% for 10 minutes' : 'Deployment finished',
    metrics: severity === 'critical' ? { error_rate: 0.073, p99_latency_ms: 2300, cpu_percent: 93.5 } : {},
    started_at: '2024-03-11T10:20:00Z',
  };
}
const ALERT_HEADERS = {
  'content-type': 'application/json',
  'user-agent': 'acme-monitor/3.2',
  'x-monitor-signature': 'sha1=5b4f2d0c',
};

function deploy(status: string, version: string, environment: string, services: Array<[string, string]>) {
  return {
    deploy_id: 'dep_4821',
    environment,
    version,
    status,
    started_at: '2024-03-11T10:30:00Z',
    services: services.map(([name, health]) => ({ name, health })),
  };
}
const DEPLOY_HEADERS = {
  'content-type': 'application/json',
  'user-agent': 'acme-deployer/1.8',
  'x-deploy-event': 'deployment.status',
};

// ---------------------------------------------------------------------------------------------
// What each script prints for those payloads, written out independently of the scripts.

const EXPECTED = {
  jiraCreated: [
    'New Jira issue OPS-1423 (High): Checkout returns 502 when the cart has more than 50 items',
    'Assigned to: Priya Raman',
    'Description:',
    'Since Tuesday, POST /api/checkout fails with a 502 from the gateway for large carts.',
    'Smaller carts are fine.',
    'Please:',
    '1. Analyze if this issue relates to any recent code changes',
    '2. Identify the relevant source files',
    "3. Suggest an implementation approach if it's a feature, or root cause if it's a bug",
  ].join('\n'),
  jiraInReview: 'Issue OPS-1423 moved to In Review. Please review the associated code changes.',
  slackMention: [
    'Slack request from <@U061F7AUR> in #C0LAN2Q65:',
    'why did the nightly build fail on `main`?',
    'Respond concisely. Format for Slack (no markdown headers, use *bold* and `code`).',
  ].join('\n'),
  gitPushMain: [
    'Push to main:',
    '- Fix cart total rounding for discounted items (Priya Raman)',
    '- Add regression test for large carts (Dana Whitfield)',
    'Files changed:',
    'src/cart/discount.ts',
    'src/cart/total.ts',
    'test/cart/total.test.ts',
    'Review these changes for issues.',
  ].join('\n'),
  githubPushMain: 'New push to acme/storefront (main) by octocat: 2 commit(s). Please review the changes.',
  githubPushFeature:
    'New push to acme/storefront (feature/gift-cards) by octocat: 1 commit(s). Please review the changes.',
  alertCritical: [
    'CRITICAL alert from payments-api: Error rate above 5% for 10 minutes',
    'Metrics: error_rate=0.073, p99_latency_ms=2300, cpu_percent=93.5',
    'Please:',
    '1. Check the payments-api source code for potential causes',
    '2. Look at recent changes that might have caused this',
    '3. Suggest immediate mitigation steps',
  ].join('\n'),
  deployUnhealthy:
    'Deploy v2.14.0 to production completed but 2 services unhealthy: [checkout-worker search]\n\nInvestigate the unhealthy services and suggest fixes.',
  deployHealthy:
    'Deploy v2.14.1 to staging successful. All 3 services healthy.\n\nRun a quick smoke test on the key API endpoints.',
};

// ---------------------------------------------------------------------------------------------

interface InboxMessage {
  id: string;
  content: string;
  source: string;
  source_label: string;
  session: string;
}

describe('the seed hook scripts behind one real hookbox serve', async () => {
  // Started here rather than in before(): startServe() and tempDir() clean up in after(), which
  // inside a before() hook would run as soon as that hook finished.
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  const serve = await startServe(['--config', writeConfig(dir), '--port', '0', '--data-dir', dataDir], {
    XDG_CONFIG_HOME: join(dir, 'xdg'),
  });
  const ports = hookPorts(serve.output());
  const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();

  test('one listener per [[hooks]] entry, each named in the log with its port', () => {
    assert.deepEqual([...ports.keys()].sort(), HOOKS.map((h) => h.name).sort(), serve.output());
  });

  async function inbox(): Promise<InboxMessage[]> {
    const response = await fetch(`${serve.url}/sessions/default/inbox?limit=1000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { messages: InboxMessage[] }).messages;
  }

  /**
   * POSTs to a hook and checks the answer and the inbox: `expected` is the message the script
   * must have printed (HTTP 200, one new message with exactly that content), or null for an
   * event the script ignores (exit 1 → HTTP 500, the inbox unchanged).
   */
  async function deliver(
    hook: string,
    payload: unknown,
    headers: Record<string, string> | ((body: string) => Record<string, string>),
    expected: string | null,
    path = '/',
  ): Promise<void> {
    const body = JSON.stringify(payload);
    const before = await inbox();
    const response = await fetch(`http://127.0.0.1:${ports.get(hook)}${path}`, {
      method: 'POST',
      headers: typeof headers === 'function' ? headers(body) : headers,
      body,
    });
    const answer = await response.text();
    const after = await inbox();
    if (expected === null) {
      assert.equal(response.status, 500, `an ignored event answers 500 (script exit 1): ${answer}`);
      assert.deepEqual(after, before, 'an ignored event adds nothing to the inbox');
      return;
    }
    assert.equal(response.status, 200, `${answer}\n${serve.output().split('\n').slice(-5).join('\n')}`);
    assert.equal(after.length, before.length + 1, 'exactly one new message');
    const [newest] = after;
    assert.equal(newest!.content, expected);
    assert.equal(newest!.source, 'webhook');
    assert.equal(newest!.source_label, hook);
    assert.equal(newest!.id, (JSON.parse(answer) as { message_id: string }).message_id);
  }

  test('Python Jira: issue_created and a move to In Review are injected; other updates and events are ignored', {
    skip: missing.python,
  }, async () => {
    await deliver(
      'jira',
      jiraCreated,
      { ...JIRA_HEADERS, 'x-atlassian-webhook-event': 'jira:issue_created' },
      EXPECTED.jiraCreated,
      '/rest/webhooks/jira',
    );
    await deliver(
      'jira',
      jiraUpdated('In Progress', 'In Review'),
      { ...JIRA_HEADERS, 'x-atlassian-webhook-event': 'jira:issue_updated' },
      EXPECTED.jiraInReview,
    );
    await deliver(
      'jira',
      jiraUpdated('In Review', 'Done'),
      { ...JIRA_HEADERS, 'x-atlassian-webhook-event': 'jira:issue_updated' },
      null,
    );
    await deliver(
      'jira',
      { webhookEvent: 'comment_created', comment: { body: 'LGTM' } },
      { ...JIRA_HEADERS, 'x-atlassian-webhook-event': 'comment_created' },
      null,
    );
  });

  test('Node Slack: an app_mention is injected; the url_verification challenge is ignored', async () => {
    await deliver('slack', slackMention, slackHeaders, EXPECTED.slackMention, '/slack/events');
    await deliver('slack', slackChallenge, slackHeaders, null, '/slack/events');
  });

  test('Bash git push: a push to main lists commits and files; a feature branch is ignored', {
    skip: missing.jq,
  }, async () => {
    await deliver('git-push', pushToMain, githubHeaders, EXPECTED.gitPushMain);
    await deliver('git-push', pushToFeature, githubHeaders, null);
  });

  test('Bash GitHub push (seed 001): every push is summarised', { skip: missing.jq }, async () => {
    await deliver('github-push', pushToMain, githubHeaders, EXPECTED.githubPushMain);
    await deliver('github-push', pushToFeature, githubHeaders, EXPECTED.githubPushFeature);
  });

  test('Ruby alert: a critical alert is injected; info is ignored', { skip: missing.ruby }, async () => {
    await deliver('monitoring', alert('critical'), ALERT_HEADERS, EXPECTED.alertCritical);
    await deliver('monitoring', alert('info'), ALERT_HEADERS, null);
  });

  test('Go deploy: completed with unhealthy services, completed all healthy, in progress ignored', {
    skip: missing.go,
  }, async () => {
    const services: Array<[string, string]> = [
      ['api', 'healthy'],
      ['checkout-worker', 'degraded'],
      ['search', 'unhealthy'],
    ];
    await deliver(
      'deploy',
      deploy('completed', 'v2.14.0', 'production', services),
      DEPLOY_HEADERS,
      EXPECTED.deployUnhealthy,
    );
    await deliver(
      'deploy',
      deploy(
        'completed',
        'v2.14.1',
        'staging',
        services.map(([name]) => [name, 'healthy']),
      ),
      DEPLOY_HEADERS,
      EXPECTED.deployHealthy,
    );
    await deliver('deploy', deploy('in_progress', 'v2.14.2', 'production', services), DEPLOY_HEADERS, null);
  });
});

describe('hookbox run --daemon --format jsonl, read through a pipe', () => {
  test('a reader process gets ready, then one injected line per message, and nothing for ignored events', {
    skip: missing.jq || missing.ruby,
  }, async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    // The reader is a child process of its own, as an agent would be: it spawns `hookbox run`
    // and echoes each complete line it reads from the pipe, prefixed, on its own stdout.
    const reader = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { spawn } from 'node:child_process';
         import { createInterface } from 'node:readline';
         const run = spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
         const exited = new Promise((resolve) => run.on('exit', (code, signal) => resolve(code ?? signal)));
         process.on('SIGTERM', () => run.kill('SIGTERM'));
         for await (const line of createInterface({ input: run.stdout })) process.stdout.write('line ' + line + '\\n');
         process.stdout.write('eof ' + (await exited) + '\\n');`,
        HOOKBOX_CLI,
        ...['run', '--name', 'ops', '--daemon', '--format', 'jsonl', '--hook', 'github-push', '--hook', 'monitoring'],
        ...['--port', '0', '--config', config, '--data-dir', join(dir, 'data')],
      ],
      {
        env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'xdg'), AGENTD_LOG_FORMAT: 'text' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    reader.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: reader.stdout })[Symbol.asyncIterator]();
    const nextLine = async (): Promise<string> => {
      const timer = setTimeout(() => reader.kill('SIGKILL'), 20_000);
      const { value, done } = await lines.next();
      clearTimeout(timer);
      assert.equal(done, false, `the reader's pipe ended early; hookbox run said:\n${stderr}`);
      return value as string;
    };
    const record = async () => {
      const line = await nextLine();
      assert.match(line, /^line \{/, line);
      return JSON.parse(line.slice('line '.length)) as Record<string, unknown>;
    };

    try {
      const ready = (await record()) as {
        type: string;
        session_id: string;
        api: string;
        hooks: Array<{ name: string; port: number; state: string }>;
      };
      assert.equal(ready.type, 'ready');
      assert.equal(ready.session_id, 'ops');
      assert.match(ready.api, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(ready.hooks.map((h) => [h.name, h.state]).sort(), [
        ['github-push', 'listening'],
        ['monitoring', 'listening'],
      ]);
      const port = (name: string) => ready.hooks.find((h) => h.name === name)!.port;
      const post = async (hook: string, payload: unknown, headers: Record<string, string>) =>
        (await fetch(`http://127.0.0.1:${port(hook)}/`, { method: 'POST', headers, body: JSON.stringify(payload) }))
          .status;

      // Only the hooks named with --hook listen.
      assert.equal(
        ready.hooks.some((h) => h.name === 'jira'),
        false,
      );

      const pushBody = JSON.stringify(pushToMain);
      assert.equal(await post('github-push', pushToMain, githubHeaders(pushBody)), 200);
      assert.equal(await post('monitoring', alert('info'), ALERT_HEADERS), 500);
      assert.equal(await post('monitoring', alert('critical'), ALERT_HEADERS), 200);

      // FIFO within the webhook source: had the ignored alert produced anything, it would sit
      // between these two lines.
      const first = await record();
      const second = await record();
      assert.deepEqual(
        { ...first, message_id: typeof first.message_id, created_at: typeof first.created_at },
        {
          type: 'injected',
          source_kind: 'webhook',
          source_label: 'github-push',
          content: EXPECTED.githubPushMain,
          session_id: 'ops',
          message_id: 'string',
          created_at: 'string',
        },
      );
      assert.deepEqual(
        { ...second, message_id: typeof second.message_id, created_at: typeof second.created_at },
        {
          type: 'injected',
          source_kind: 'webhook',
          source_label: 'monitoring',
          content: EXPECTED.alertCritical,
          session_id: 'ops',
          message_id: 'string',
          created_at: 'string',
        },
      );
    } finally {
      // The reader passes SIGTERM on to `hookbox run`, which stops and closes the pipe.
      reader.kill('SIGTERM');
    }
    assert.equal(await nextLine(), 'eof 0', 'hookbox run stops cleanly on SIGTERM and the pipe ends');
  });
});
