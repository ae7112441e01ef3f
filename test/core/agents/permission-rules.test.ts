// PermissionRequest with allow and deny rules: a rule that allows (a handler answering
// data.permission = "allow") grants the agent's permission prompt for the user, in each agent's
// protocol; the safety guard's deny wins over it; without an allow rule the agent asks as usual.
// The real lifecycle chain with a real script handler.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { parse as parseToml } from 'smol-toml';
import { readFileSync } from 'node:fs';
import type { AgentAdapter } from '../../../main/core/agents/agent-adapter.ts';
import { agentHookLocally } from '../../../main/core/agents/agent-hook-local.ts';
import { AGENTS, readAgentCall } from '../../../main/core/agents/agent-hooks.ts';
import { parseLifecycleConfig } from '../../../main/core/lifecycle/lifecycle-config.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';
import { claudeSamples } from './fixtures/claude-inputs.ts';
import { codexSamples } from './fixtures/codex-inputs.ts';
import { copilotSamples } from './fixtures/copilot-inputs.ts';

const dir = tempDir();
// An allow rule: `npm test` may run without asking (the script sees the Bernstein envelope on stdin).
writeScript(
  dir,
  'allow-tests.sh',
  `#!/bin/sh\nif grep -q '"command":"npm test'; then echo '{"data": {"permission": "allow"}}'; else echo '{}'; fi\n`,
);
const file = join(dir, 'config.toml');
const TOML = `
[[lifecycle."pre-tool-call"]]
name = "safety-check"
builtin = "safety-guard"

[[lifecycle."pre-tool-call"]]
name = "allow-tests"
script = "allow-tests.sh"
`;
const config = parseLifecycleConfig((parseToml(TOML) as { lifecycle: unknown }).lifecycle, {
  file,
  env: {},
  resolveSecrets: false,
});

async function run(adapter: AgentAdapter, input: unknown, event?: string) {
  return agentHookLocally(adapter, readAgentCall(adapter, input, event), config, { json: false, env: process.env });
}

const ajv = new Ajv({ strict: false });
const codexPermissionSchema = ajv.compile(
  JSON.parse(
    readFileSync(
      new URL('./fixtures/codex-schemas/permission-request.command.output.schema.json', import.meta.url),
      'utf8',
    ),
  ),
);

describe('PermissionRequest allow and deny rules', () => {
  test('Claude Code: an allow rule grants the request (decision.behavior allow), even without --json', async () => {
    const answer = await run(AGENTS.claude, claudeSamples.permissionRequest('npm test -- --watch=false'));
    assert.equal(answer.exitCode, 0, answer.stderr);
    assert.deepEqual(JSON.parse(answer.stdout), {
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } },
    });
  });

  test('Claude Code: PreToolUse under an allow rule goes ahead without the prompt (permissionDecision allow)', async () => {
    const answer = await run(AGENTS.claude, claudeSamples.preTool('npm test'));
    assert.equal(JSON.parse(answer.stdout).hookSpecificOutput.permissionDecision, 'allow');
  });

  test('no allow rule: no opinion (the agent asks as usual); the guard denies and wins over the allow rule', async () => {
    assert.deepEqual(await run(AGENTS.claude, claudeSamples.permissionRequest('ls -la')), {
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
    const denied = await run(AGENTS.claude, claudeSamples.permissionRequest('npm test && rm -rf /'));
    assert.equal(denied.exitCode, 2);
    assert.match(denied.stderr, /^Hookbox \(safety-check\) blocked this: rm -rf/);
  });

  test("Codex: granted in its published schema's shape", async () => {
    const answer = await run(AGENTS.codex, codexSamples.permissionRequest('npm test'));
    const body = JSON.parse(answer.stdout) as { hookSpecificOutput: { decision: { behavior: string } } };
    assert.ok(codexPermissionSchema(body), ajv.errorsText(codexPermissionSchema.errors));
    assert.equal(body.hookSpecificOutput.decision.behavior, 'allow');
  });

  test('Copilot CLI: permissionRequest answered behavior allow', async () => {
    const answer = await run(AGENTS.copilot, copilotSamples.permissionRequest('npm test'), 'permissionRequest');
    assert.deepEqual(JSON.parse(answer.stdout), { behavior: 'allow' });
  });
});
