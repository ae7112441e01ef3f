import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConfigProblem, ConfigSaveResult, HookboxApi } from '../../../main/shared/api-contract.ts';
import { messageOf } from './errors.ts';

// The Config view: the TOML text being edited, checked by the hub as you type (the same checks
// a reload makes, each problem at its line), saved only when valid; and the add-hook form, which
// appends a [[hooks]] table to the text.

export const CHECK_DELAY_MS = 300;

export interface NewHook {
  name: string;
  bind: string;
  script: string;
  timeout: number | null;
  session: string;
  /** A signature scheme (VERIFY_CHOICES), or '' for none. */
  verify?: string;
  /** The secret, `${VARIABLE}`, or for ed25519 the public key. */
  secret?: string;
  /** twilio: the public URL; hmac: the signature header. */
  extra?: string;
}

/** The hub's `verify` schemes (main/core/webhooks/verifiers/index.ts; a test keeps the two lists equal). */
export const VERIFY_CHOICES: ReadonlyArray<{ value: string; label: string; extra?: { key: string; label: string } }> = [
  { value: 'github', label: 'GitHub' },
  { value: 'standard-webhooks', label: 'Standard Webhooks (Svix, Resend, GitLab signing token)' },
  { value: 'stripe', label: 'Stripe' },
  { value: 'slack', label: 'Slack' },
  { value: 'shopify', label: 'Shopify' },
  { value: 'gitlab', label: 'GitLab (X-Gitlab-Token)' },
  { value: 'twilio', label: 'Twilio', extra: { key: 'public_url', label: 'Public URL' } },
  { value: 'ed25519', label: 'Ed25519 (Discord)' },
  { value: 'hmac', label: 'Other HMAC sender', extra: { key: 'signature_header', label: 'Signature header' } },
];

export interface ConfigState {
  path: string;
  exists: boolean;
  text: string;
  savedText: string;
  problems: ConfigProblem[];
  checking: boolean;
  saving: boolean;
  lastSave: ConfigSaveResult | null;
  configError: string | null;
  /**
   * The file as it is on disk when it changed there while the text had unsaved edits (or a save
   * found it changed): the editor asks "reload / keep mine" instead of overwriting it. null: no conflict.
   */
  diskText: string | null;
  /** The user chose "keep mine": the next save replaces the file whatever it holds by then. */
  overwrite: boolean;
  scripts: string[];
  scriptDir: string;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  connect(): () => void;
  load(): Promise<void>;
  setText(text: string): void;
  check(): Promise<ConfigProblem[]>;
  save(): Promise<ConfigSaveResult | null>;
  /** Conflict: take the file as it is on disk (the edits are dropped). */
  reloadFromDisk(): void;
  /** Conflict: keep the edits; the next save replaces the file as it is now on disk. */
  keepMine(): void;
  addHook(hook: NewHook): void;
  /**
   * The hub's checks of the text with this hook added (a script that is missing, a folder or not
   * executable; a bind the hub itself uses), by form field. Empty: the hook can be added.
   */
  checkNewHook(hook: NewHook): Promise<Partial<Record<keyof NewHook, string>>>;
  loadScripts(): Promise<void>;
}

export type ConfigStore = StoreApi<ConfigState>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BIND = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** What is wrong with the form, field by field (empty: nothing). */
export function newHookProblems(
  hook: NewHook,
  existing: readonly string[] = [],
): Partial<Record<keyof NewHook, string>> {
  const problems: Partial<Record<keyof NewHook, string>> = {};
  if (!NAME.test(hook.name)) problems.name = 'letters, digits, ".", "_" or "-", starting with a letter or digit';
  else if (existing.includes(hook.name)) problems.name = 'a hook with this name exists';
  if (!BIND.test(hook.bind.trim()) || Number(hook.bind.split(':').pop()) > 65535)
    problems.bind = 'address:port, e.g. 127.0.0.1:9876';
  if (hook.script.trim() === '') problems.script = 'the script to run (relative to the config file, or absolute)';
  if (hook.timeout !== null && (!Number.isInteger(hook.timeout) || hook.timeout < 1 || hook.timeout > 3600))
    problems.timeout = 'whole seconds, 1 to 3600';
  if (hook.session.trim() !== '' && !NAME.test(hook.session.trim()))
    problems.session = 'letters, digits, ".", "_" or "-"';
  const choice = VERIFY_CHOICES.find((c) => c.value === hook.verify);
  if (choice && !hook.secret?.trim())
    problems.secret =
      choice.value === 'ed25519'
        ? "the sender's public key (64 hex digits)"
        : 'the secret, or ${VARIABLE} to read it from the environment';
  if (choice?.extra && !hook.extra?.trim()) problems.extra = `${choice.extra.label} is needed for ${choice.label}`;
  return problems;
}

/** The [[hooks]] table for the form (JSON's string escapes are valid TOML). */
export function hookToml(hook: NewHook): string {
  const lines = [
    '[[hooks]]',
    `name = ${JSON.stringify(hook.name)}`,
    `bind = ${JSON.stringify(hook.bind.trim())}`,
    `script = ${JSON.stringify(hook.script.trim())}`,
  ];
  if (hook.timeout !== null) lines.push(`timeout = ${hook.timeout}`);
  if (hook.session.trim()) lines.push(`session = ${JSON.stringify(hook.session.trim())}`);
  const choice = VERIFY_CHOICES.find((c) => c.value === hook.verify);
  if (choice) {
    lines.push(`verify = ${JSON.stringify(choice.value)}`);
    const secret = JSON.stringify(hook.secret?.trim() ?? '');
    lines.push(choice.value === 'ed25519' ? `public_key = ${secret}` : `secrets = [${secret}]`);
    if (choice.extra) lines.push(`${choice.extra.key} = ${JSON.stringify(hook.extra?.trim() ?? '')}`);
  }
  return lines.join('\n');
}

/** Appends a table to a TOML text with one blank line before it. */
export function appendTable(text: string, table: string): string {
  const trimmed = text.replace(/\s*$/, '');
  return `${trimmed}${trimmed ? '\n\n' : ''}${table}\n`;
}

export function createConfigStore(api: HookboxApi, options: { checkDelayMs?: number } = {}): ConfigStore {
  const delay = options.checkDelayMs ?? CHECK_DELAY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let checkRun = 0;
  return createStore<ConfigState>()((set, get) => ({
    path: '',
    exists: false,
    text: '',
    savedText: '',
    problems: [],
    checking: false,
    saving: false,
    lastSave: null,
    configError: null,
    diskText: null,
    overwrite: false,
    scripts: [],
    scriptDir: '',
    status: 'idle',
    error: null,
    connect() {
      // An edit saved elsewhere (another editor, hookbox on the command line) shows up here
      // unless there are unsaved changes in the window, which are never overwritten.
      const unsubscribe = api.onConfigChanged((change) => {
        set({ configError: change.config_error });
        void api.getConfig().then(
          (doc) => {
            const state = get();
            if (doc.text === state.savedText) return; // the file is what the editor started from
            // Already answered "keep mine": the next save replaces the file; not asked twice.
            if (state.overwrite) return set({ savedText: doc.text, exists: doc.exists });
            if (doc.text === state.text) return set({ savedText: doc.text, exists: doc.exists, diskText: null });
            if (state.text === state.savedText)
              return set({ text: doc.text, savedText: doc.text, exists: doc.exists, problems: [], diskText: null });
            set({ diskText: doc.text });
          },
          () => undefined,
        );
      });
      void get().load();
      return () => {
        clearTimeout(timer);
        unsubscribe();
      };
    },
    async load() {
      set({ status: 'loading', error: null });
      try {
        const doc = await api.getConfig();
        set({
          path: doc.path,
          exists: doc.exists,
          text: doc.text,
          savedText: doc.text,
          configError: doc.config_error,
          status: 'ready',
          problems: [],
          diskText: null,
          overwrite: false,
        });
      } catch (error) {
        set({ status: 'error', error: messageOf(error) });
      }
    },
    setText(text) {
      set({ text });
      clearTimeout(timer);
      timer = setTimeout(() => void get().check(), delay);
    },
    async check() {
      clearTimeout(timer);
      const mine = ++checkRun;
      const text = get().text;
      set({ checking: true });
      try {
        const result = await api.checkConfig({ text });
        if (mine === checkRun) set({ problems: result.problems });
        return result.problems;
      } catch (error) {
        set({ error: messageOf(error) });
        return [];
      } finally {
        if (mine === checkRun) set({ checking: false });
      }
    },
    async save() {
      clearTimeout(timer);
      const text = get().text;
      set({ saving: true, error: null });
      try {
        const { overwrite, savedText } = get();
        const result = await api.saveConfig(overwrite ? { text } : { text, base: savedText });
        if (result.conflict) {
          const doc = await api.getConfig();
          set({ diskText: doc.text });
          return result;
        }
        set({ lastSave: result, problems: result.problems, configError: result.config_error });
        if (result.saved) set({ savedText: text, exists: true, diskText: null, overwrite: false });
        return result;
      } catch (error) {
        set({ error: messageOf(error) });
        return null;
      } finally {
        set({ saving: false });
      }
    },
    reloadFromDisk() {
      const disk = get().diskText;
      if (disk === null) return;
      set({
        text: disk,
        savedText: disk,
        exists: true,
        diskText: null,
        overwrite: false,
        problems: [],
        lastSave: null,
      });
    },
    keepMine() {
      const disk = get().diskText;
      if (disk === null) return;
      set({ savedText: disk, exists: true, diskText: null, overwrite: true });
    },
    addHook(hook) {
      get().setText(appendTable(get().text, hookToml(hook)));
    },
    async checkNewHook(hook) {
      try {
        const result = await api.checkConfig({ text: appendTable(get().text, hookToml(hook)) });
        const about = `hook '${hook.name}': `;
        const mine = result.problems.find((p) => p.message.startsWith(about));
        if (!mine) return {};
        const message = mine.message.slice(about.length);
        const field = /^'(bind|script|timeout|session)'/.exec(message)?.[1] as keyof NewHook | undefined;
        return { [field ?? 'name']: message };
      } catch (error) {
        set({ error: messageOf(error) });
        return {};
      }
    },
    async loadScripts() {
      try {
        const list = await api.listScripts();
        set({ scripts: list.scripts, scriptDir: list.dir });
      } catch (error) {
        set({ error: messageOf(error) });
      }
    },
  }));
}
