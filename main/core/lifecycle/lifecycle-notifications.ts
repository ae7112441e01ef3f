import type { Priority } from '../notify/notifier.ts';
import type { LifecycleEventName } from './lifecycle-events.ts';

// The words of the notification a lifecycle event raises (task.failed, agent.stalled …).

export interface LifecycleNotice {
  title: string;
  message: string;
  priority: Priority;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number'
      ? String(value)
      : null;
}

function short(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function list(value: unknown, max = 3): string | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const items = value.slice(0, max).map(String);
  return value.length > max ? `${items.join(', ')} and ${value.length - max} more` : items.join(', ');
}

const TITLES: Partial<Record<LifecycleEventName, string>> = {
  'task.created': 'Task created',
  'task.claimed': 'Task claimed',
  'task.completed': 'Task completed',
  'task.failed': 'Task failed',
  'task.retried': 'Task retried',
  'agent.spawned': 'Agent spawned',
  'agent.completed': 'Agent finished',
  'agent.killed': 'Agent killed',
  'agent.stalled': 'Agent stalled',
  'merge.started': 'Merge started',
  'merge.completed': 'Merge completed',
  'merge.conflict': 'Merge conflict',
  'quality_gate.passed': 'Quality gate passed',
  'quality_gate.failed': 'Quality gate failed',
  'budget.threshold': 'Budget threshold reached',
  'budget.exceeded': 'Budget exceeded',
};

const URGENT = new Set<LifecycleEventName>([
  'task.failed',
  'agent.killed',
  'agent.stalled',
  'merge.conflict',
  'quality_gate.failed',
  'budget.exceeded',
]);

export function lifecycleNotice(event: LifecycleEventName, data: Record<string, unknown>): LifecycleNotice {
  const task = str(data.task_id);
  const agent = str(data.agent_id);
  const parts: string[] = [];
  switch (event) {
    case 'task.failed':
      parts.push(`${task ?? 'a task'}: ${str(data.error) ?? 'failed'}`);
      if (agent) parts.push(`(agent ${agent})`);
      break;
    case 'agent.stalled':
    case 'agent.killed':
      parts.push(`${agent ?? 'an agent'}${task ? ` on ${task}` : ''}`);
      if (str(data.reason)) parts.push(`: ${str(data.reason)}`);
      if (typeof data.stalled_s === 'number') parts.push(`(no heartbeat for ${Math.round(data.stalled_s)} s)`);
      break;
    case 'merge.conflict':
      parts.push(`${str(data.branch) ?? 'a branch'}${str(data.base_branch) ? ` into ${str(data.base_branch)}` : ''}`);
      if (list(data.conflicting_files)) parts.push(`: ${list(data.conflicting_files)}`);
      break;
    case 'quality_gate.failed':
      parts.push(`${task ?? 'a task'}${str(data.gate) ? ` (${str(data.gate)})` : ''}`);
      if (list(data.errors, 2)) parts.push(`: ${list(data.errors, 2)}`);
      break;
    case 'budget.exceeded':
    case 'budget.threshold':
      parts.push(`spent ${str(data.spent) ?? '?'} of ${str(data.limit) ?? '?'}${task ? ` (${task})` : ''}`);
      break;
    default:
      parts.push(
        [task, agent, str(data.summary) ?? str(data.error) ?? str(data.response)].filter(Boolean).join(' · ') || event,
      );
  }
  return {
    title: TITLES[event] ?? `Hookbox: ${event}`,
    message: short(parts.join(' ').replace(/ :/g, ':')),
    priority: URGENT.has(event) ? 'high' : 'normal',
  };
}
