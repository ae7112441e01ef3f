import { Type } from 'typebox';

// A session's name, written once: the inbox checks it, and every schema that carries one (the
// config file, HTTP routes, the window's requests, MCP tools) uses the schema below. Its own
// file with no other import, so the config and the CLI take it without the inbox's store.
export const SESSION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Letters, digits, '.', '_' or '-', starting with a letter or digit; at most 128. */
export const SessionName = Type.String({ pattern: SESSION_NAME_PATTERN.source });
