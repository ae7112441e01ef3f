import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, HookboxError } from '../errors.ts';

// File handling shared by the shell installer and the git hooks: users' dotfiles are edited in
// one step (temp file + rename) and through their symlinks, never replacing them.

/** The file to really write: a symlinked rc (dotfile managers) is written through, not replaced. */
export function writeTarget(file: string): string {
  let isLink: boolean;
  try {
    isLink = lstatSync(file).isSymbolicLink();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return file;
    throw new HookboxError(ErrorCode.IntegrationFailed, `cannot use ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isLink) return file;
  try {
    return realpathSync(file);
  } catch (error) {
    throw new HookboxError(
      ErrorCode.IntegrationFailed,
      `${file} is a symbolic link to a missing file (${(error as Error).message}); fix or remove the link first`,
      { cause: error },
    );
  }
}

export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HookboxError(ErrorCode.IntegrationFailed, `cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Replaces a file's content in one step (temp file + rename), keeping its permissions unless told. */
export function writeAtomically(file: string, content: string, options: { mode?: number } = {}): void {
  const temp = join(dirname(file), `.${basename(file)}.hookbox-${process.pid}.tmp`);
  try {
    mkdirSync(dirname(file), { recursive: true });
    let mode = options.mode ?? 0o644;
    if (options.mode === undefined) {
      try {
        mode = statSync(file).mode & 0o7777;
      } catch {
        // a new file
      }
    }
    writeFileSync(temp, content, { mode });
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new HookboxError(ErrorCode.IntegrationFailed, `cannot write ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
