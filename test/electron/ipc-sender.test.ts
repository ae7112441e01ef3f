import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRendererPage, isTrustedSender } from '../../main/electron/ipc-sender.ts';

const page = 'file:///opt/Hookbox/resources/app.asar/out/renderer/index.html';
const mainFrame = { url: page, processId: 7, routingId: 1 };

test('the main frame of our window showing our page is trusted', () => {
  assert.ok(isTrustedSender(mainFrame, mainFrame, page));
  assert.ok(isTrustedSender({ ...mainFrame, url: `${page}#/events/1` }, mainFrame, page));
});

test('another frame, a navigated page or no frame at all is refused', () => {
  assert.ok(!isTrustedSender(null, mainFrame, page));
  assert.ok(!isTrustedSender({ ...mainFrame, routingId: 2 }, mainFrame, page), 'a subframe');
  assert.ok(!isTrustedSender({ ...mainFrame, processId: 8 }, mainFrame, page), 'another process');
  assert.ok(!isTrustedSender({ ...mainFrame, url: 'https://example.com/' }, mainFrame, page), 'navigated away');
  assert.ok(!isTrustedSender({ ...mainFrame, url: 'file:///tmp/evil.html' }, mainFrame, page), 'another local file');
});

test('with the dev server, any page of its origin is ours and nothing else', () => {
  const dev = 'http://localhost:5173/';
  assert.ok(isRendererPage('http://localhost:5173/index.html', dev));
  assert.ok(!isRendererPage('http://localhost:5174/', dev));
  assert.ok(!isRendererPage('not a url', dev));
  assert.ok(!isRendererPage('http://localhost:5173/', page));
});
