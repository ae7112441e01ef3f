import { existsSync, lstatSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ErrorCode, HookboxError } from '../errors.ts';
import { readText, writeAtomically, writeTarget } from '../shell/integration-files.ts';
import {
  ENTRY_NAME,
  type AgentContext,
  type AgentMcpAdapter,
  type AgentName,
  type McpServerCommand,
} from './agent-mcp-adapter.ts';
import { claudeMcp } from './claude-mcp.ts';
import { codexMcp } from './codex-mcp.ts';
import { cursorMcp } from './cursor-mcp.ts';
import { geminiMcp } from './gemini-mcp.ts';
import { readJsonPath, removeJsonEntry, setJsonEntry, type JsonInsertion } from './json-mcp-edit.ts';
import { readTomlTable, removeTomlTable, setTomlTable } from './toml-mcp-edit.ts';

// `hookbox mcp install|uninstall|status AGENT`: our server entry in a coding agent's config file.
// The file is edited as text (json-mcp-edit.ts, toml-mcp-edit.ts): only our entry changes, a
// symlinked file is written through, a file that does not parse is refused. What an install
// added besides the entry (a new file, folders, a container, the inside of an empty object) is
// recorded in the data dir, so uninstall puts back exactly the bytes that were there.

export const AGENT_ADAPTERS: Record<AgentName, AgentMcpAdapter> = {
  claude: claudeMcp,
  codex: codexMcp,
  gemini: geminiMcp,
  cursor: cursorMcp,
};

const RECORD_FILE = 'agent-mcp-installs.json';

/** What one install changed besides adding the entry. */
interface InstallRecord {
  agent: AgentName;
  /** The file did not exist (or held only this whitespace, kept here). */
  created_file: boolean;
  blank_original: string | null;
  /** Folders the install created for the file, outermost first. */
  created_dirs: string[];
  json: JsonInsertion | null;
  toml_separator: string | null;
}

function readRecords(dataDir: string): Record<string, InstallRecord> {
  try {
    return JSON.parse(readFileSync(join(dataDir, RECORD_FILE), 'utf8')) as Record<string, InstallRecord>;
  } catch {
    return {};
  }
}

function writeRecords(dataDir: string, records: Record<string, InstallRecord>): void {
  writeAtomically(join(dataDir, RECORD_FILE), `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
}

function currentEntry(adapter: AgentMcpAdapter, text: string, file: string): unknown {
  if (adapter.format === 'json') return readJsonPath(text, [adapter.container, ENTRY_NAME], file);
  return text.trim() === '' ? undefined : readTomlTable(text, [...adapter.table, ENTRY_NAME], file);
}

/** Folders that do not exist yet on the way to `file`, outermost first. */
function missingDirs(file: string): string[] {
  const missing: string[] = [];
  for (let dir = dirname(file); !existsSync(dir); dir = dirname(dir)) missing.unshift(dir);
  return missing;
}

export interface McpInstallResult {
  agent: AgentName;
  /** The config file as named (a symlink is written through to its target). */
  file: string;
  /** The file really written, when `file` is a symbolic link. */
  target: string | null;
  changed: boolean;
  entry: Record<string, unknown>;
}

export function installAgentMcp(
  adapter: AgentMcpAdapter,
  ctx: AgentContext,
  server: McpServerCommand,
  dataDir: string,
): McpInstallResult {
  const file = adapter.configFile(ctx);
  const target = writeTarget(file);
  const before = readText(target);
  const entry = adapter.entry(server);
  const result = { agent: adapter.agent, file, target: target === file ? null : target, entry };
  const text = before ?? '';
  if (isDeepStrictEqual(currentEntry(adapter, text, file), entry)) return { ...result, changed: false };

  const blank = text.trim() === '';
  let after: string;
  let json: JsonInsertion | null = null;
  let separator: string | null = null;
  if (adapter.format === 'json') {
    const edit = setJsonEntry(text, adapter.container, ENTRY_NAME, entry, file);
    after = edit.text;
    json = edit.insertion;
  } else {
    const edit = setTomlTable(text, [...adapter.table, ENTRY_NAME], entry as Record<string, string | string[]>, file);
    after = edit.text;
    separator = edit.separator;
  }
  const createdDirs = missingDirs(target);
  // A new file in a project may be committed (.mcp.json): readable; one in the home may come to hold tokens.
  writeAtomically(target, after, before !== undefined ? {} : { mode: ctx.project !== undefined ? 0o644 : 0o600 });
  // An entry changed in place keeps the record of the install that added it.
  if (json !== null || separator !== null || blank) {
    const records = readRecords(dataDir);
    records[target] = {
      agent: adapter.agent,
      created_file: blank,
      blank_original: blank && before !== undefined ? before : null,
      created_dirs: createdDirs,
      json,
      toml_separator: separator,
    };
    writeRecords(dataDir, records);
  }
  return { ...result, changed: true };
}

export interface McpUninstallResult {
  agent: AgentName;
  file: string;
  target: string | null;
  changed: boolean;
  /** The file held nothing else and was removed (it did not exist before the install). */
  removedFile: boolean;
}

export function uninstallAgentMcp(adapter: AgentMcpAdapter, ctx: AgentContext, dataDir: string): McpUninstallResult {
  const file = adapter.configFile(ctx);
  const target = writeTarget(file);
  const result = { agent: adapter.agent, file, target: target === file ? null : target };
  const before = readText(target);
  if (before === undefined || currentEntry(adapter, before, file) === undefined)
    return { ...result, changed: false, removedFile: false };
  const records = readRecords(dataDir);
  const record = records[target];
  const after =
    adapter.format === 'json'
      ? removeJsonEntry(before, adapter.container, ENTRY_NAME, file, record?.json ?? null)
      : removeTomlTable(before, [...adapter.table, ENTRY_NAME], file, record?.toml_separator ?? null);
  // What is left of a file the install created is what it created it from.
  const leftover = adapter.format === 'json' ? after.replace(/\s/g, '') === '{}' : after.trim() === '';
  let removedFile = false;
  if (record?.created_file && leftover) {
    if (record.blank_original !== null) writeAtomically(target, record.blank_original);
    else {
      rmSync(target, { force: true });
      removedFile = true;
      for (const dir of [...record.created_dirs].reverse()) {
        try {
          rmdirSync(dir); // only when empty
        } catch {
          break;
        }
      }
    }
  } else {
    writeAtomically(target, after);
  }
  if (record) {
    delete records[target];
    writeRecords(dataDir, records);
  }
  return { ...result, changed: true, removedFile };
}

export interface McpStatus {
  agent: AgentName;
  file: string;
  target: string | null;
  exists: boolean;
  installed: boolean;
  /** Our entry as the file holds it. */
  entry: unknown;
  /** It starts the server as an install now would. */
  current: boolean;
}

export function agentMcpStatus(adapter: AgentMcpAdapter, ctx: AgentContext, server: McpServerCommand): McpStatus {
  const file = adapter.configFile(ctx);
  let target = file;
  try {
    if (lstatSync(file).isSymbolicLink()) target = writeTarget(file);
  } catch {
    // absent
  }
  const text = readText(target);
  const entry = text === undefined ? undefined : currentEntry(adapter, text, file);
  return {
    agent: adapter.agent,
    file,
    target: target === file ? null : target,
    exists: text !== undefined,
    installed: entry !== undefined,
    entry: entry ?? null,
    current: entry !== undefined && isDeepStrictEqual(entry, adapter.entry(server)),
  };
}

export function agentAdapter(name: string): AgentMcpAdapter {
  const adapter = AGENT_ADAPTERS[name as AgentName];
  if (!adapter)
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `unknown agent '${name}': use one of ${Object.keys(AGENT_ADAPTERS).join(', ')}`,
    );
  return adapter;
}

/** How an agent starts `hookbox mcp`: this installation's launcher words, then the server's arguments. */
export function mcpServerCommand(
  launcher: readonly string[],
  adapter: AgentMcpAdapter,
  session: string | undefined,
): McpServerCommand {
  const [command = 'hookbox', ...args] = launcher;
  return { command, args: [...args, ...mcpServerArgs(adapter, session)] };
}

/** `hookbox mcp` arguments for an agent: the session, and --no-push for agents without channels. */
export function mcpServerArgs(adapter: AgentMcpAdapter, session: string | undefined): string[] {
  return ['mcp', ...(session !== undefined ? ['--name', session] : []), ...(adapter.channels ? [] : ['--no-push'])];
}
