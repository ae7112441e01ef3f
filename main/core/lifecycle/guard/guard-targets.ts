// The paths and devices whose destruction safety-guard blocks, shared by the shell rules
// (guard-rules.ts) and the scan of interpreters' inline code (inline-code-scan.ts).

export const SAFE_DEVICES = /^\/dev\/(null|zero|full|random|urandom|stdout|stderr|stdin|tty|fd\/\d+|pts\/\d+)$/;
export const BLOCK_DEVICE =
  /^\/dev\/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|dm-\d|loop\d|sr\d|nbd\d|rbd\d|zd\d|mapper\/|disk\/|disk\d)/;
const CRITICAL_PATHS = new Set([
  '/',
  '/*',
  '~',
  '~/*',
  '$HOME',
  '${HOME}',
  '$HOME/*',
  '${HOME}/*',
  '.',
  './*',
  '..',
  '*',
  '.*',
]);

/** The root, home, or a top-level system folder (/etc, /usr, /home …). */
export function isSystemPath(target: string): boolean {
  const t = target.length > 1 ? target.replace(/\/+$/, '') || '/' : target;
  return t === '/' || t === '/*' || /^\/[^/]+\/?\*?$/.test(t) || /^(~|\$HOME|\$\{HOME\})(\/\*?)?$/.test(t);
}

/** A system path, or the whole current folder (`rm -r .`, `rm -r *`). */
export function isCritical(target: string): boolean {
  const t = target.length > 1 ? target.replace(/\/+$/, '') || '/' : target;
  return CRITICAL_PATHS.has(t) || isSystemPath(t);
}
