import type { Stores } from './stores.ts';
import { VIEWS, type ViewName } from './ui-store.ts';

// The view and the item open in it live in the address (#/events/<id>, #/hooks/<run id>,
// #/inbox/<session>): a reload shows the same thing, and Back returns to the previous view. A
// window opened without one starts on the last view used, or the Inbox.

const LAST_VIEW_KEY = 'hookbox.view';

interface Place {
  view: ViewName;
  id: string | null;
}

interface Page {
  location: { hash: string; pathname: string; search: string };
  history: {
    pushState: (data: unknown, unused: string, url: string) => void;
    replaceState: (data: unknown, unused: string, url: string) => void;
  };
  addEventListener: (type: 'popstate', listener: () => void) => void;
  removeEventListener: (type: 'popstate', listener: () => void) => void;
  localStorage: { getItem: (key: string) => string | null; setItem: (key: string, value: string) => void };
}

export function parsePlace(hash: string): Place | null {
  const match = /^#\/([a-z]+)(?:\/(.+))?$/.exec(hash);
  const view = VIEWS.find((v) => v === match?.[1]);
  if (!view) return null;
  return { view, id: match?.[2] ? decodeURIComponent(match[2]) : null };
}

export function placeHash(place: Place): string {
  return `#/${place.view}${place.id ? `/${encodeURIComponent(place.id)}` : ''}`;
}

function currentPlace(stores: Stores): Place {
  const view = stores.ui.getState().view;
  const id =
    view === 'events'
      ? stores.events.getState().selectedId
      : view === 'hooks'
        ? stores.hooks.getState().selectedRunId
        : view === 'inbox'
          ? stores.inbox.getState().selected
          : null;
  return { view, id };
}

async function open(stores: Stores, place: Place): Promise<void> {
  stores.ui.getState().setView(place.view);
  if (place.id === null) return;
  if (place.view === 'events') await stores.events.getState().select(place.id);
  else if (place.view === 'hooks') await stores.hooks.getState().selectRun(place.id);
  else if (place.view === 'inbox') await stores.inbox.getState().selectSession(place.id);
}

/** Opens what the address names (else the last view, or the Inbox), then keeps the address in step. */
export function connectUrlState(stores: Stores, page: Page): () => void {
  const saved = page.localStorage.getItem(LAST_VIEW_KEY);
  const start = parsePlace(page.location.hash) ?? { view: VIEWS.find((v) => v === saved) ?? 'inbox', id: null };
  void open(stores, start);
  let shown = placeHash(start);
  page.history.replaceState(null, '', `${page.location.pathname}${page.location.search}${shown}`);

  const follow = () => {
    const place = currentPlace(stores);
    const hash = placeHash(place);
    page.localStorage.setItem(LAST_VIEW_KEY, place.view);
    if (hash === shown) return;
    const newView = parsePlace(shown)?.view !== place.view;
    shown = hash;
    const url = `${page.location.pathname}${page.location.search}${hash}`;
    // A new view is a step Back returns from; moving through a list's items is not.
    if (newView) page.history.pushState(null, '', url);
    else page.history.replaceState(null, '', url);
  };
  const offs = [stores.ui, stores.events, stores.hooks, stores.inbox].map((store) => store.subscribe(follow));
  const onPop = () => {
    const place = parsePlace(page.location.hash);
    if (!place) return;
    shown = placeHash(place);
    void open(stores, place);
  };
  page.addEventListener('popstate', onPop);
  return () => {
    for (const off of offs) off();
    page.removeEventListener('popstate', onPop);
  };
}
