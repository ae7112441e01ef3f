// Draws Hookbox's icons (a hook hanging in a box) and writes them as PNGs with nothing but
// node:zlib, so they can be regenerated anywhere:
//   node scripts/make-icons.ts [OUT_DIR]     (default: resources/)
// Output: icon.png (512 px app icon), tray-dark.png / tray-dark@2x.png (dark glyph for light
// panels, 16/32 px) and tray-light.png / tray-light@2x.png (light glyph for dark panels), each
// also with a badge in its top-right corner: -unread (a blue dot: new inbox messages) and
// -failure (a red dot: a command or a hook run failed), e.g. tray-light-failure@2x.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];
/** Signed distance from a point to a shape, in icon units (the icon spans 0..1). */
type Shape = (x: number, y: number) => number;

interface Layer {
  shape: Shape;
  /** null cuts a hole: the layers below do not show there. */
  color: Rgb | null;
}

// --- shapes -----------------------------------------------------------------------------------

function roundedRect(cx: number, cy: number, halfW: number, halfH: number, radius: number): Shape {
  return (x, y) => {
    const qx = Math.abs(x - cx) - (halfW - radius);
    const qy = Math.abs(y - cy) - (halfH - radius);
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  };
}

function segment(ax: number, ay: number, bx: number, by: number): Shape {
  return (x, y) => {
    const px = x - ax;
    const py = y - ay;
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
    return Math.hypot(px - t * dx, py - t * dy);
  };
}

/** The lower half of a circle (y grows downwards). */
function lowerArc(cx: number, cy: number, r: number): Shape {
  return (x, y) => {
    if (y >= cy) return Math.abs(Math.hypot(x - cx, y - cy) - r);
    return Math.min(Math.hypot(x - (cx - r), y - cy), Math.hypot(x - (cx + r), y - cy));
  };
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => Math.hypot(x - cx, y - cy) - r;
}

function stroke(shape: Shape, width: number): Shape {
  return (x, y) => Math.abs(shape(x, y)) - width / 2;
}

function strokeLine(shape: Shape, width: number): Shape {
  return (x, y) => shape(x, y) - width / 2;
}

function union(...shapes: Shape[]): Shape {
  return (x, y) => Math.min(...shapes.map((s) => s(x, y)));
}

function scaled(shape: Shape, from: number, to: number): Shape {
  const k = to - from;
  return (x, y) => shape((x - from) / k, (y - from) / k) * k;
}

/** The glyph in 0..1: a box outline and a hook hanging from its lid. */
function glyph(strokeWidth: number): Shape {
  const box = stroke(roundedRect(0.5, 0.5, 0.4, 0.4, 0.12), strokeWidth);
  const hook = strokeLine(
    // The stem, the bend, the point and its barb.
    union(
      segment(0.58, 0.1, 0.58, 0.56),
      lowerArc(0.44, 0.56, 0.14),
      segment(0.3, 0.56, 0.3, 0.44),
      segment(0.3, 0.44, 0.38, 0.52),
    ),
    strokeWidth,
  );
  return union(box, hook);
}

// --- raster -----------------------------------------------------------------------------------

/** RGBA pixels; each pixel is 4×4 supersampled for smooth edges. */
function render(size: number, layers: Layer[]): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          // The topmost layer covering the sample wins.
          for (let i = layers.length - 1; i >= 0; i -= 1) {
            const layer = layers[i]!;
            if (layer.shape(x, y) <= 0) {
              if (layer.color === null) break;
              r += layer.color[0];
              g += layer.color[1];
              b += layer.color[2];
              a += 1;
              break;
            }
          }
        }
      }
      const offset = (py * size + px) * 4;
      if (a > 0) {
        pixels[offset] = Math.round(r / a);
        pixels[offset + 1] = Math.round(g / a);
        pixels[offset + 2] = Math.round(b / a);
        pixels[offset + 3] = Math.round((a / (samples * samples)) * 255);
      }
    }
  }
  return pixels;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGBA PNG, rows unfiltered. */
export function encodePng(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- the icon set -----------------------------------------------------------------------------

const ACCENT: Rgb = [47, 111, 221];
const WHITE: Rgb = [255, 255, 255];
const DARK_GLYPH: Rgb = [29, 33, 39];
const LIGHT_GLYPH: Rgb = [240, 242, 245];
const BADGES = { unread: [56, 132, 255], failure: [229, 57, 53] } as const satisfies Record<string, Rgb>;

/** A dot in the top-right corner with a transparent ring around it, so it reads on top of the glyph. */
function badgeLayers(color: Rgb): Layer[] {
  return [
    { shape: circle(0.78, 0.22, 0.3), color: null },
    { shape: circle(0.78, 0.22, 0.22), color },
  ];
}

/** File name → PNG bytes. */
export function makeIcons(): Map<string, Buffer> {
  const icons = new Map<string, Buffer>();
  const app = render(512, [
    { shape: roundedRect(0.5, 0.5, 0.46, 0.46, 0.2), color: ACCENT },
    { shape: scaled(glyph(0.075), 0.2, 0.8), color: WHITE },
  ]);
  icons.set('icon.png', encodePng(512, app));
  // Thicker strokes at tray sizes so the glyph stays legible at 16 px.
  for (const [name, color] of [
    ['tray-dark', DARK_GLYPH],
    ['tray-light', LIGHT_GLYPH],
  ] as const) {
    icons.set(`${name}.png`, encodePng(16, render(16, [{ shape: glyph(0.12), color }])));
    icons.set(`${name}@2x.png`, encodePng(32, render(32, [{ shape: glyph(0.1), color }])));
    for (const [badge, badgeColor] of Object.entries(BADGES)) {
      icons.set(
        `${name}-${badge}.png`,
        encodePng(16, render(16, [{ shape: glyph(0.12), color }, ...badgeLayers(badgeColor)])),
      );
      icons.set(
        `${name}-${badge}@2x.png`,
        encodePng(32, render(32, [{ shape: glyph(0.1), color }, ...badgeLayers(badgeColor)])),
      );
    }
  }
  return icons;
}

if (import.meta.main) {
  const outDir = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'resources'));
  mkdirSync(outDir, { recursive: true });
  for (const [name, png] of makeIcons()) {
    writeFileSync(join(outDir, name), png);
    process.stdout.write(`${join(outDir, name)} (${png.length} bytes)\n`);
  }
}
