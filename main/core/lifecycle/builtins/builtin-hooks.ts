import type { ScriptRunner } from '../../process/script-runner.ts';
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { BuiltinHandler } from '../lifecycle-config.ts';
import type { LoomContext, LoomResult } from '../loom-protocol.ts';
import { formatRepositoryContext, gatherRepositoryContext } from './context-injector.ts';
import { SafetyGuard } from '../guard/safety-guard.ts';
import { extractFollowups, truncateOutput, type FollowupItem } from './text-builtins.ts';

// Loom's five built-in hooks. Each returns a Result, and side effects (follow-ups to store and
// deliver, failures to count) as data for the caller to apply: the hub records them in its
// database; a local run (`hooks test`, `claude-hook` with the hub down) only reports them.

export type BuiltinEffect =
  | { kind: 'followups'; items: FollowupItem[]; task_id: string | null; agent_id: string | null }
  | { kind: 'failure'; task_id: string; agent_id: string | null; error: string };

export interface BuiltinInput {
  handler: BuiltinHandler;
  context: LoomContext;
  /** Runs the git commands context-injector asks. */
  scripts: ScriptRunner;
  /** Failures recorded so far for a task; undefined when there is no database (local run). */
  failureCount?: (taskId: string) => number | undefined;
}

export interface BuiltinOutput {
  result: LoomResult;
  effects: BuiltinEffect[];
}

const guards = new WeakMap<BuiltinHandler, SafetyGuard>();

function guardFor(handler: BuiltinHandler): SafetyGuard {
  let guard = guards.get(handler);
  if (!guard) {
    guard = new SafetyGuard(handler.options, `handler '${handler.name}'`);
    guards.set(handler, guard);
  }
  return guard;
}

/** The command of a tool call: `command`, or `args.command` (Claude Code's tool_input shape). */
export function toolCommand(context: LoomContext): string | undefined {
  const call = context.tool_call;
  if (!call) return undefined;
  if (typeof call.command === 'string') return call.command;
  const args = call.args as { command?: unknown } | undefined;
  return typeof args?.command === 'string' ? args.command : undefined;
}

/** The project a context is about: its metadata.cwd when that is a folder, else the config's folder. */
export function projectDirOf(context: LoomContext, fallback: string): string {
  const cwd = context.metadata.cwd;
  if (typeof cwd === 'string' && isAbsolute(cwd)) {
    try {
      if (statSync(cwd).isDirectory()) return cwd;
    } catch {
      // Gone: use the fallback.
    }
  }
  return fallback;
}

export async function runBuiltin(input: BuiltinInput): Promise<BuiltinOutput> {
  const { handler, context } = input;
  switch (handler.builtin) {
    case 'safety-guard': {
      const command = toolCommand(context);
      if (command === undefined) return { result: {}, effects: [] };
      const found = guardFor(handler).check(command, context.tool_call?.name);
      if (!found) return { result: {}, effects: [] };
      return {
        result: {
          block: true,
          reason: `${found.reason}: ${found.command}`,
          data: { safety_guard: { rule: found.rule, command: found.command } },
        },
        effects: [],
      };
    }
    case 'context-injector': {
      const projectDir = projectDirOf(context, handler.cwd);
      const repo = await gatherRepositoryContext(projectDir, {
        standardsFiles: handler.options.standardsFiles,
        recentFiles: handler.options.recentFiles,
        timeoutMs: handler.timeoutMs,
        scripts: input.scripts,
      });
      const block = formatRepositoryContext(repo);
      const newContext = context.new_context ? `${context.new_context}\n\n${block}` : block;
      return {
        result: {
          modified: true,
          new_context: newContext,
          data: {
            context_injector: {
              project_dir: projectDir,
              branch: repo.branch,
              standards_file: repo.standards?.file ?? null,
            },
          },
        },
        effects: [],
      };
    }
    case 'output-truncator': {
      const text =
        context.new_context ??
        context.response ??
        (typeof context.tool_call?.output === 'string' ? context.tool_call.output : null);
      if (text === null) return { result: {}, effects: [] };
      const cut = truncateOutput(text, handler.options.maxBytes);
      if (!cut.truncated)
        return {
          result: { data: { output_truncator: { truncated: false, original_bytes: cut.originalBytes } } },
          effects: [],
        };
      return {
        result: {
          modified: true,
          new_context: cut.text,
          data: {
            output_truncator: {
              truncated: true,
              original_bytes: cut.originalBytes,
              omitted_bytes: cut.omittedBytes,
              max_bytes: handler.options.maxBytes,
            },
          },
        },
        effects: [],
      };
    }
    case 'followup-creator': {
      const items = extractFollowups(context.response ?? context.new_context ?? '');
      if (items.length === 0) return { result: { data: { followups: [] } }, effects: [] };
      return {
        result: { data: { followups: items } },
        effects: [{ kind: 'followups', items, task_id: context.issue_id, agent_id: context.agent_id }],
      };
    }
    case 'error-logger': {
      const taskId =
        context.issue_id ??
        (typeof context.metadata.task_id === 'string' ? context.metadata.task_id : null) ??
        'unknown';
      const error =
        context.error ??
        (typeof context.metadata.error === 'string' ? context.metadata.error : null) ??
        'unknown error';
      const before = input.failureCount?.(taskId);
      return {
        result: {
          data: { error_logger: { task_id: taskId, failure_count: before === undefined ? null : before + 1 } },
        },
        effects: [{ kind: 'failure', task_id: taskId, agent_id: context.agent_id, error }],
      };
    }
  }
}
