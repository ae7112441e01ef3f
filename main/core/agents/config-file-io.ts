import {
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';

// Reading and writing another program's config file: through a symlink to its target (the link
// stays a link), atomically, with the file's mode kept.

/** Where `file` really is: a symlink's target (written through, never replaced). */
export function realFile(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    // Missing, or a dangling link: the link's target is where the file goes.
    try {
      if (lstatSync(file).isSymbolicLink()) return resolve(dirname(file), readlinkSync(file));
    } catch {
      // Not there at all.
    }
    return file;
  }
}

/** Replaces the file's content atomically, keeping its mode. */
export function writeText(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o644;
  const temp = `${file}.hookbox-tmp-${process.pid}`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, file);
}
