// The entry of out/cli/agent-hook.mjs, the small bundle bin/hookbox runs for `agent-hook` and
// `claude-hook`: a coding agent waits for it on every tool call, and compiling the full CLI bundle
// alone costs several times a bare Node start (bench/sections/agent-hook.ts). A command line it
// does not take (help, a mistake) goes to the full CLI beside it, which reads the same argv.
//
// The bundle is split where the code imports dynamically: this file holds the way to the hub
// (agent-hook-command.ts: no schema library, no fetch), the hub-down path loads from
// out/cli/agent-hook-*.cjs, with Node's compile cache on (agent-hook-command.ts).
import { parseAgentHookArgv } from './agent-hook-argv.ts';
import { main } from './agent-hook-entry.ts';

const argv = process.argv.slice(2);
if (parseAgentHookArgv(argv)) {
  // No top-level await: the bundle is CommonJS (a CommonJS main module starts sooner than an ES one).
  void main(argv).then((code) => {
    process.exitCode = code;
  });
} else {
  void import(new URL('./hookbox.mjs', import.meta.url).href);
}
