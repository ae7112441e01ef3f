import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

// Small pieces every view uses.

/** True when a key goes to a text field (also inside the editor's shadow root, which retargets events to its host). */
export function isTyping(event: Event): boolean {
  const target = event.composedPath()[0] ?? event.target;
  // A checkbox, radio or button keeps the view keys (1–6, t): nothing is typed into it.
  if (target instanceof HTMLInputElement && ['checkbox', 'radio', 'button', 'submit'].includes(target.type))
    return false;
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

export function ErrorBanner({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="banner error" role="alert">
      {error}
    </p>
  );
}

export function Badge({
  tone,
  children,
  title,
}: {
  tone: 'ok' | 'bad' | 'warn' | 'muted' | 'info';
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function Teach({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="teach">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Keys on a list: ↑/↓ (or j/k) move the selection, Home/End jump, Enter opens, Esc closes. */
export function listKeyHandler<T extends { id: string }>(
  items: readonly T[],
  selectedId: string | null,
  select: (id: string | null) => void,
) {
  return (event: KeyboardEvent<HTMLElement>) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    const index = items.findIndex((item) => item.id === selectedId);
    let next: number | undefined;
    if (event.key === 'ArrowDown' || event.key === 'j') next = Math.min(items.length - 1, index + 1);
    else if (event.key === 'ArrowUp' || event.key === 'k') next = Math.max(0, index < 0 ? 0 : index - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    else if (event.key === 'Escape' && selectedId !== null) {
      event.preventDefault();
      select(null);
      return;
    }
    if (next === undefined || items.length === 0) return;
    event.preventDefault();
    const item = items[next];
    if (item) select(item.id);
  };
}

export interface TableColumn {
  label: string;
  numeric?: boolean;
}

/**
 * A list of items as a table with one selected row: the keys of listKeyHandler, the header from
 * `columns`; each view draws its own rows.
 */
export function SelectableTable<T extends { id: string }>({
  className,
  label,
  columns,
  items,
  selectedId,
  onSelect,
  row,
}: {
  className: string;
  label: string;
  columns: readonly TableColumn[];
  items: readonly T[];
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  row: (item: T, selected: boolean) => ReactNode;
}) {
  return (
    <table
      className={className}
      tabIndex={0}
      aria-label={label}
      onKeyDown={listKeyHandler(items, selectedId, onSelect)}
    >
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.label} scope="col" className={column.numeric ? 'numeric' : undefined}>
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{items.map((item) => row(item, item.id === selectedId))}</tbody>
    </table>
  );
}

/** Keeps the selected row in view and focused when it changes by keyboard. */
export function useScrollIntoView<T extends HTMLElement>(active: boolean) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (active && ref.current && typeof ref.current.scrollIntoView === 'function')
      ref.current.scrollIntoView({ block: 'nearest' });
  }, [active]);
  return ref;
}
