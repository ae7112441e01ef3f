import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { makeIcons } from '../../scripts/make-icons.ts';
import { REPO_ROOT } from '../helpers/serve-process.ts';

const EXPECTED_SIZES: Record<string, number> = {
  'icon.png': 512,
  'tray-dark.png': 16,
  'tray-dark@2x.png': 32,
  'tray-light.png': 16,
  'tray-light@2x.png': 32,
};

/** Width, height and the alpha of every pixel of an unfiltered 8-bit RGBA PNG. */
function decode(png: Buffer): { width: number; height: number; alpha: (x: number, y: number) => number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.equal(png[24], 8, 'bit depth');
  assert.equal(png[25], 6, 'RGBA');
  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.toString('ascii', offset + 4, offset + 8) === 'IDAT') idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += length + 12;
  }
  const rows = inflateSync(Buffer.concat(idat));
  assert.equal(rows.length, height * (width * 4 + 1));
  return { width, height, alpha: (x, y) => rows[y * (width * 4 + 1) + 1 + x * 4 + 3]! };
}

test('the committed icons are what scripts/make-icons.ts draws', () => {
  const drawn = makeIcons();
  assert.deepEqual([...drawn.keys()].sort(), Object.keys(EXPECTED_SIZES).sort());
  for (const [name, png] of drawn) {
    assert.ok(readFileSync(join(REPO_ROOT, 'resources', name)).equals(png), `resources/${name} differs: run node scripts/make-icons.ts`);
  }
});

test('each icon is a real PNG of its size with a visible glyph', () => {
  for (const [name, size] of Object.entries(EXPECTED_SIZES)) {
    const { width, height, alpha } = decode(readFileSync(join(REPO_ROOT, 'resources', name)));
    assert.deepEqual([width, height], [size, size], name);
    let opaque = 0;
    for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) if (alpha(x, y) > 128) opaque += 1;
    const share = opaque / (width * height);
    assert.ok(share > 0.15 && share < 0.9, `${name}: ${Math.round(share * 100)}% opaque`);
    // Tray glyphs sit on a transparent background: the corners show the panel.
    if (name.startsWith('tray')) assert.equal(alpha(0, 0), 0, `${name} corner`);
  }
});
