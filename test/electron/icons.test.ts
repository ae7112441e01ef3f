import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { makeIcons } from '../../scripts/make-icons.ts';
import { REPO_ROOT } from '../helpers/serve-process.ts';

const TRAY_BADGES = ['', '-unread', '-failure'];
const EXPECTED_SIZES: Record<string, number> = {
  'icon.png': 512,
  ...Object.fromEntries(
    ['tray-dark', 'tray-light'].flatMap((panel) =>
      TRAY_BADGES.flatMap((badge) => [
        [`${panel}${badge}.png`, 16],
        [`${panel}${badge}@2x.png`, 32],
      ]),
    ),
  ),
};

/** Width, height and the alpha of every pixel of an unfiltered 8-bit RGBA PNG. */
function decode(png: Buffer): {
  width: number;
  height: number;
  alpha: (x: number, y: number) => number;
  rgb: (x: number, y: number) => [number, number, number];
} {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.equal(png[24], 8, 'bit depth');
  assert.equal(png[25], 6, 'RGBA');
  const idat: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.toString('ascii', offset + 4, offset + 8) === 'IDAT')
      idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += length + 12;
  }
  const rows = inflateSync(Buffer.concat(idat));
  assert.equal(rows.length, height * (width * 4 + 1));
  const at = (x: number, y: number) => y * (width * 4 + 1) + 1 + x * 4;
  return {
    width,
    height,
    alpha: (x, y) => rows[at(x, y) + 3]!,
    rgb: (x, y) => [rows[at(x, y)]!, rows[at(x, y) + 1]!, rows[at(x, y) + 2]!],
  };
}

test('the committed icons are what scripts/make-icons.ts draws', () => {
  const drawn = makeIcons();
  assert.deepEqual([...drawn.keys()].sort(), Object.keys(EXPECTED_SIZES).sort());
  for (const [name, png] of drawn) {
    assert.ok(
      readFileSync(join(REPO_ROOT, 'resources', name)).equals(png),
      `resources/${name} differs: run node scripts/make-icons.ts`,
    );
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

test('the badged tray icons carry a blue (unread) or red (failure) dot in the top-right corner that the plain ones do not', () => {
  const isRed = ([r, g, b]: number[]) => r! > 200 && g! < 100 && b! < 100;
  const isBlue = ([r, _g, b]: number[]) => b! > 200 && r! < 100;
  /** Opaque pixels of a colour in the top-right quarter, and anywhere else. */
  const count = (name: string, colour: (rgb: number[]) => boolean) => {
    const { width, alpha, rgb } = decode(readFileSync(join(REPO_ROOT, 'resources', name)));
    let corner = 0;
    let elsewhere = 0;
    for (let y = 0; y < width; y += 1)
      for (let x = 0; x < width; x += 1) {
        if (alpha(x, y) < 200 || !colour(rgb(x, y))) continue;
        if (x >= width / 2 && y < width / 2) corner += 1;
        else elsewhere += 1;
      }
    return { corner, elsewhere, width };
  };
  for (const panel of ['tray-dark', 'tray-light']) {
    for (const scale of ['', '@2x']) {
      const failure = count(`${panel}-failure${scale}.png`, isRed);
      const unread = count(`${panel}-unread${scale}.png`, isBlue);
      // A dot of a few pixels across at 16 px, more at 32.
      assert.ok(failure.corner >= failure.width, `${panel}-failure${scale}: ${failure.corner} red pixels`);
      assert.ok(unread.corner >= unread.width, `${panel}-unread${scale}: ${unread.corner} blue pixels`);
      assert.equal(failure.elsewhere + unread.elsewhere, 0, 'the badge stays in its corner');
      assert.equal(
        count(`${panel}-failure${scale}.png`, isBlue).corner + count(`${panel}-unread${scale}.png`, isRed).corner,
        0,
        'each badge has its own colour',
      );
      assert.equal(
        count(`${panel}${scale}.png`, isRed).corner + count(`${panel}${scale}.png`, isBlue).corner,
        0,
        'the plain icon has no badge',
      );
    }
  }
});
