import { useEffect, useRef } from 'react';
import type { EditorView } from '@codemirror/view';
import type { ConfigProblem } from '../../../main/shared/api-contract.ts';
import { createTomlEditor, goToLine, setEditorText, showProblems } from '../editor/toml-editor.ts';

export interface ConfigEditorHandle {
  goToLine(line: number): void;
}

export function ConfigEditor({
  text,
  problems,
  onChange,
  onSave,
  handle,
}: {
  text: string;
  problems: readonly ConfigProblem[];
  onChange: (text: string) => void;
  onSave: () => void;
  handle?: { current: ConfigEditorHandle | null };
}) {
  const parent = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The editor outlives renders; it calls whatever the latest props say.
  const latest = useRef({ onChange, onSave });
  latest.current = { onChange, onSave };

  useEffect(() => {
    const host = parent.current;
    if (!host) return;
    const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    const container = document.createElement('div');
    container.style.height = '100%';
    root.replaceChildren(container);
    const editor = createTomlEditor({
      parent: container,
      root,
      text,
      onChange: (t) => latest.current.onChange(t),
      onSave: () => latest.current.onSave(),
    });
    view.current = editor;
    if (handle) handle.current = { goToLine: (line) => goToLine(editor, line) };
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Created once; text and problems follow through the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (view.current) setEditorText(view.current, text);
  }, [text]);

  useEffect(() => {
    if (view.current) showProblems(view.current, problems);
  }, [problems]);

  return <div className="editor" ref={parent} />;
}
