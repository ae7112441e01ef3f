import '../helpers/dom.ts';

// Rendering React into the happy-dom document for the renderer tests (the DOM globals must exist
// before React loads, hence the dynamic imports after ../helpers/dom.ts).

const { act, createElement } = await import('react');
const { createRoot } = await import('react-dom/client');

export { act, createElement as h };

export async function render(element: ReturnType<typeof createElement>) {
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  const root = createRoot(container);
  await act(async () => root.render(element));
  return { container, unmount: () => act(async () => root.unmount()) };
}

/** Waits inside act(): store updates that arrive meanwhile are rendered before the assertions. */
export const settle = (promise: Promise<unknown>) => act(async () => void (await promise));

export const key = (target: EventTarget, name: string) =>
  act(async () => void target.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true })));
