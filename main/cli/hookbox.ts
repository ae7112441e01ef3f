#!/usr/bin/env node
// The `hookbox` command. A coding agent runs `hookbox agent-hook AGENT` (or `claude-hook`) before
// and after every tool call, so that call takes a short path that loads only what deciding it
// needs (agent-hook-entry.ts); everything else goes through the full program (program.ts).
import { isAgentHookCall } from './agent-hook-argv.ts';

// A reader that stops early (`hookbox events | head`) closes the pipe: end quietly, as Unix tools
// do, instead of crashing on the next write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const argv = process.argv.slice(2);
const { main } = isAgentHookCall(argv) ? await import('./agent-hook-entry.ts') : await import('./program.ts');
process.exitCode = await main(argv);
