import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Calls `onChange` (debounced) whenever the config file is written, created, or replaced.
 * Editors often save by writing a new file and renaming it over the old one, which ends a watch
 * on the file itself; watching the folder and filtering by name survives that. The folder may
 * not exist yet (a first start with an empty home: the window's first save creates it): then the
 * nearest folder that exists is watched until the next one down appears, and so on.
 */
export function watchConfigFile(path: string, onChange: () => void, debounceMs = 150): () => void {
  const configDir = dirname(path);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let closed = false;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const arm = () => {
    watcher?.close();
    watcher = undefined;
    if (closed) return;
    // The nearest existing folder on the way to the file, and the name below it to wait for.
    let dir = configDir;
    let next = basename(path);
    while (!existsSync(dir) && dirname(dir) !== dir) {
      next = basename(dir);
      dir = dirname(dir);
    }
    const waiting = dir !== configDir;
    try {
      watcher = watch(dir, { persistent: false }, (_event, file) => {
        if (file !== null && file !== next) return;
        if (!waiting) return changed();
        // A folder on the way appeared: watch further down (the file may be there already).
        if (existsSync(join(dir, next))) {
          arm();
          if (existsSync(path)) changed();
        }
      });
    } catch {
      return;
    }
    // The watched folder was removed (or cannot be watched any more): start again from what exists.
    watcher.on('error', () => setTimeout(arm, debounceMs).unref());
    if (waiting && existsSync(join(dir, next))) {
      // Created between the existence check and the watch.
      arm();
      if (existsSync(path)) changed();
    }
  };
  arm();
  return () => {
    closed = true;
    clearTimeout(timer);
    watcher?.close();
  };
}
