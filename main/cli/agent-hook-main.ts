// The entry of out/cli/agent-hook.mjs, the small bundle bin/hookbox runs for `agent-hook` and
// `claude-hook`: a coding agent waits for it on every tool call, and compiling the full CLI bundle
// alone costs several times a bare Node start (bench/sections/agent-hook.ts). A command line it
// does not take (help, a mistake) goes to the full CLI beside it, which reads the same argv.
import { parseAgentHookArgv } from './agent-hook-argv.ts';

const argv = process.argv.slice(2);
if (parseAgentHookArgv(argv)) {
  const { main } = await import('./agent-hook-entry.ts');
  process.exitCode = await main(argv);
} else {
  const full = new URL('./hookbox.mjs', import.meta.url).href;
  await import(full);
}
