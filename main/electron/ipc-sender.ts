// Which IPC callers are ours (as HTTP Toolkit does): only the main frame of our window, showing
// our renderer page. A frame that navigated elsewhere, an iframe or another window is refused.
// No Electron import here, so the rule is tested under plain Node.

export interface FrameIdentity {
  url: string;
  processId: number;
  routingId: number;
}

/** True when `url` is the page we loaded: the same file, or the same origin for the dev server. */
export function isRendererPage(url: string, rendererUrl: string): boolean {
  let actual: URL;
  let expected: URL;
  try {
    actual = new URL(url);
    expected = new URL(rendererUrl);
  } catch {
    return false;
  }
  if (expected.protocol === 'file:') return actual.protocol === 'file:' && actual.pathname === expected.pathname;
  return actual.origin === expected.origin;
}

export function isTrustedSender(
  frame: FrameIdentity | null | undefined,
  mainFrame: FrameIdentity,
  rendererUrl: string,
): boolean {
  if (!frame) return false;
  if (frame.processId !== mainFrame.processId || frame.routingId !== mainFrame.routingId) return false;
  return isRendererPage(frame.url, rendererUrl);
}
