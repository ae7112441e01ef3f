// The entry of out/cli/agent-hook.mjs, the small bundle bin/hookbox runs for `agent-hook` and
// `claude-hook`: a coding agent waits for it on every tool call, and compiling the full CLI bundle
// alone costs several times a bare Node start (bench/sections/agent-hook.ts). A command line it
// does not take (help, a mistake) goes to the full CLI beside it, which reads the same argv.
//
// The bundle is split where the code imports dynamically: this file holds the way to the hub
// (agent-hook-command.ts: no schema library, no fetch), the hub-down path loads from
// out/cli/agent-hook-*.mjs. Node's compile cache is on for those: V8 reuses the code it compiled on
// the last run instead of compiling it again (os.tmpdir()/node-compile-cache;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off).
import { enableCompileCache } from 'node:module';
import { parseAgentHookArgv } from './agent-hook-argv.ts';
import { main } from './agent-hook-entry.ts';

enableCompileCache();
const argv = process.argv.slice(2);
if (parseAgentHookArgv(argv)) {
  // No top-level await: the bundle is CommonJS (a CommonJS main module starts sooner than an ES one).
  void main(argv).then((code) => {
    process.exitCode = code;
  });
} else {
  void import(new URL('./hookbox.mjs', import.meta.url).href);
}
