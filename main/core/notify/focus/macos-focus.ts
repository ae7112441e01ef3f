import { type FocusAnswer, type FocusProbe, runProbe } from './focus-probe.ts';

// macOS: the frontmost application (`lsappinfo front`, then `lsappinfo info -only bundleid` of
// it; lsappinfo asks LaunchServices, which needs no Accessibility or Automation grant, unlike
// osascript and System Events) against the terminal's bundle id. The shell sends
// $__CFBundleIdentifier (set by macOS for processes an app starts) as bundle_id, and
// $TERM_PROGRAM as term_program for terminals started otherwise. Only the application is known:
// another window or tab of the same terminal in front counts as in front.

/** $TERM_PROGRAM of the common macOS terminals, and their bundle ids. */
const BUNDLE_OF_TERM_PROGRAM: Record<string, string> = {
  Apple_Terminal: 'com.apple.Terminal',
  'iTerm.app': 'com.googlecode.iterm2',
  WezTerm: 'com.github.wez.wezterm',
  ghostty: 'com.mitchellh.ghostty',
  WarpTerminal: 'dev.warp.Warp-Stable',
  Hyper: 'co.zeit.hyper',
  vscode: 'com.microsoft.VSCode',
};

const BUNDLE_ID = /^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$/;
/** "ASN:0x0-0x1e01e:" — the front application's serial number. */
const ASN = /ASN:0x[0-9a-f]+-0x[0-9a-f]+:/i;
/** `"CFBundleIdentifier"="com.apple.Terminal"` (older releases) or `bundleID="com.apple.Terminal"`. */
const BUNDLE_LINE = /(?:"CFBundleIdentifier"|bundleID|"LSBundleIdentifier")\s*=\s*"([^"\n]+)"/;

/** The terminal's bundle id as the shell reported it; undefined when it named none we know. */
export function terminalBundle(metadata: Record<string, unknown>): string | undefined {
  const { bundle_id: bundle, term_program: program } = metadata;
  if (typeof bundle === 'string' && BUNDLE_ID.test(bundle)) return bundle;
  return typeof program === 'string' ? BUNDLE_OF_TERM_PROGRAM[program] : undefined;
}

export function macosProbe(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): FocusProbe {
  return {
    name: 'macOS',
    applies: (metadata) => platform === 'darwin' && terminalBundle(metadata) !== undefined,
    async check(metadata): Promise<FocusAnswer> {
      const mine = terminalBundle(metadata);
      if (platform !== 'darwin' || !mine) return 'unknown';
      const front = ASN.exec((await runProbe('lsappinfo', ['front'], env)) ?? '')?.[0];
      // No front application (the login window, a screen saver): nothing of the user's is in front.
      if (!front) return 'unknown';
      const info = await runProbe('lsappinfo', ['info', '-only', 'bundleid', front], env);
      const bundle = info === undefined ? undefined : BUNDLE_LINE.exec(info)?.[1];
      if (!bundle) return 'unknown';
      return bundle.toLowerCase() === mine.toLowerCase() ? 'focused' : 'unfocused';
    },
  };
}
