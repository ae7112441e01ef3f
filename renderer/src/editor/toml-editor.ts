import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  bracketMatching,
  HighlightStyle,
  indentOnInput,
  StreamLanguage,
  syntaxHighlighting,
} from '@codemirror/language';
import { toml } from '@codemirror/legacy-modes/mode/toml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import type { ConfigProblem } from '../../../main/shared/api-contract.ts';

// The config editor: CodeMirror 6 with TOML highlighting (the legacy TOML mode), line numbers,
// undo, and the hub's problems shown at their lines (lint gutter + underline) before saving.
// Colours come from CSS variables, so the light and dark themes apply without rebuilding it.
//
// The page's policy allows no inline <style> (style-src 'self', no nonce: the desktop window's
// policy is a static meta tag), and CodeMirror puts its styles in a <style> element when it
// lives in the document. Inside a shadow root it uses constructed style sheets instead, which a
// policy does not restrict; CSS variables still reach it from the page.

const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: 'var(--syntax-key)' },
  { tag: tags.string, color: 'var(--syntax-string)' },
  { tag: tags.atom, color: 'var(--syntax-atom)', fontWeight: '600' },
  { tag: tags.number, color: 'var(--syntax-number)' },
  { tag: tags.comment, color: 'var(--syntax-comment)', fontStyle: 'italic' },
  { tag: tags.lineComment, color: 'var(--syntax-comment)', fontStyle: 'italic' },
  { tag: tags.bracket, color: 'var(--text-muted)' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', backgroundColor: 'var(--surface)', color: 'var(--text)' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--text)' },
  '.cm-gutters': {
    backgroundColor: 'var(--surface-2)',
    color: 'var(--text-muted)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--row-hover)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--row-hover)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'var(--selection) !important' },
  '.cm-scroller': { overflow: 'auto' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--bad)' },
  '.cm-lintRange-error': { backgroundColor: 'var(--bad-bg)' },
});

/** The problems as editor diagnostics: a whole line each (the hub reports lines, sometimes columns). */
export function problemDiagnostics(state: EditorState, problems: readonly ConfigProblem[]): Diagnostic[] {
  return problems.map((problem) => {
    const lineNo = problem.line !== null ? Math.min(Math.max(problem.line, 1), state.doc.lines) : 1;
    const line = state.doc.line(lineNo);
    return {
      from: line.from,
      to: Math.max(line.to, line.from),
      severity: 'error',
      message: problem.message,
      source: 'hookbox',
    };
  });
}

export interface TomlEditorOptions {
  parent: HTMLElement;
  /** The shadow root the editor lives in (see createTomlEditor). */
  root?: ShadowRoot;
  text: string;
  onChange: (text: string) => void;
  onSave: () => void;
}

export function createTomlEditor(options: TomlEditorOptions): EditorView {
  const extensions: Extension[] = [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    lintGutter(),
    StreamLanguage.define(toml),
    syntaxHighlighting(highlight),
    theme,
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': 'Config file (TOML)' }),
    keymap.of([
      { key: 'Mod-s', preventDefault: true, run: () => (options.onSave(), true) },
      ...defaultKeymap,
      ...historyKeymap,
      indentWithTab,
    ]),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) options.onChange(update.state.doc.toString());
    }),
  ];
  const view = new EditorView({
    parent: options.parent,
    ...(options.root ? { root: options.root } : {}),
    state: EditorState.create({ doc: options.text, extensions }),
  });
  // CodeMirror's accessibility guidance: Tab must not trap keyboard users. It moves focus on (tab
  // focus mode) until the user opts in to indenting with Ctrl-M; then Esc followed by Tab leaves.
  view.setTabFocusMode(true);
  return view;
}

/** What the hint under the editor says about Tab (and a test checks). */
export const TAB_HINT = 'Tab moves to the next control. Ctrl+M makes Tab indent; then Esc, Tab leaves the editor.';

/** Replaces the text when it changed outside the editor (loaded, a hook added by the form). */
export function setEditorText(view: EditorView, text: string): void {
  if (view.state.doc.toString() === text) return;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

export function showProblems(view: EditorView, problems: readonly ConfigProblem[]): void {
  view.dispatch(setDiagnostics(view.state, problemDiagnostics(view.state, problems)));
}

/** Moves the cursor to a line and shows it. */
export function goToLine(view: EditorView, lineNo: number): void {
  const line = view.state.doc.line(Math.min(Math.max(lineNo, 1), view.state.doc.lines));
  view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
  view.focus();
}
