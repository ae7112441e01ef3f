import type { HookboxApi } from '../../main/shared/api-contract.ts';

// What the preload exposes (preload/index.ts), typed by the one contract.
declare global {
  interface Window {
    /** Present in the desktop window (the preload); absent in a browser tab. */
    readonly hookbox?: HookboxApi;
  }
}
