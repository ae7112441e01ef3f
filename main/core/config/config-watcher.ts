import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` (debounced) whenever the config file is written, created, or replaced.
 * Editors often save by writing a new file and renaming it over the old one, which ends a watch
 * on the file itself; watching the folder and filtering by name survives that.
 */
export function watchConfigFile(path: string, onChange: () => void, debounceMs = 150): () => void {
  const dir = dirname(path);
  const name = basename(path);
  if (!existsSync(dir)) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dir, { persistent: false }, (_event, file) => {
    if (file !== null && file !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.on('error', () => undefined);
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
