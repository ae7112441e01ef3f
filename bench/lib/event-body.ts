// A failed `cargo build` as the shell integration would report it: exit 1, so the failure rule
// raises a notification for every event when notifications are on.
const CARGO_OUTPUT = [
  '   Compiling hookbox-demo v0.1.0 (/home/dev/src/hookbox-demo)',
  'error[E0308]: mismatched types',
  '  --> src/main.rs:14:20',
  '   |',
  '14 |     let port: u16 = config.get("port");',
  '   |               ---   ^^^^^^^^^^^^^^^^^^ expected `u16`, found `Option<&str>`',
  '   |               |',
  '   |               expected due to this',
  '',
  'For more information about this error, try `rustc --explain E0308`.',
  'error: could not compile `hookbox-demo` (bin "hookbox-demo") due to 1 previous error',
].join('\n');

export const EVENT_BODY = JSON.stringify({
  kind: 'shell',
  command: 'cargo build',
  exit_code: 1,
  duration_ms: 45_000,
  output: CARGO_OUTPUT,
  metadata: { cwd: '/home/dev/src/hookbox-demo', shell: 'zsh' },
});
