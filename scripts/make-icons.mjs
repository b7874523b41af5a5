#!/usr/bin/env node
/**
 * Draws Kiln's app icon (a rounded kiln-brick tile with a flame) and writes it as PNG at 256, 512 and 1024 px.
 * Pure Node (zlib for the PNG's deflate stream, CRC-32 by table), so the icons can be regenerated anywhere:
 *   node scripts/make-icons.mjs
 * Outputs are committed: assets/icons/<size>x<size>.png (Linux), assets/icon.png (1024, for macOS and Windows).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Signed distances in unit coordinates (0..1), negative inside.
const roundedBox = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
// A flame: a circle at the bottom merged smoothly with a point above it.
const flame = (x, y, cx, base, size) => {
  const circle = Math.hypot(x - cx, y - (base - size * 0.45)) - size * 0.42;
  const tipY = base - size * 1.35;
  const t = Math.min(Math.max((y - tipY) / (base - size * 0.45 - tipY), 0), 1);
  const halfWidth = size * 0.42 * Math.sqrt(t);
  const cone = Math.abs(x - cx) - halfWidth;
  return y < base - size * 0.45 ? Math.max(cone, tipY - y) : circle;
};

function draw(size) {
  const px = Buffer.alloc(size * size * 4);
  const ss = 4; // supersampling per axis
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (i + (sx + 0.5) / ss) / size;
          const y = (j + (sy + 0.5) / ss) / size;
          const tile = roundedBox(x, y, 0.5, 0.5, 0.44, 0.44, 0.1);
          if (tile > 0) continue;
          // Tile: dark clay gradient; arch opening; flame inside the arch.
          let cr = 0x3a + 40 * y,
            cg = 0x24 + 12 * y,
            cb = 0x1e + 8 * y;
          const arch = Math.min(
            roundedBox(x, y, 0.5, 0.66, 0.24, 0.2, 0.02),
            Math.hypot(x - 0.5, y - 0.46) - 0.24,
          );
          if (arch < 0) {
            cr = 0x1a;
            cg = 0x12;
            cb = 0x10;
          }
          const f = flame(x, y, 0.5, 0.8, 0.26);
          if (f < 0) {
            cr = 0xff;
            cg = 0x8a - 60 * (0.8 - y);
            cb = 0x1f;
          }
          const inner = flame(x, y, 0.5, 0.8, 0.14);
          if (inner < 0) {
            cr = 0xff;
            cg = 0xd8;
            cb = 0x6a;
          }
          r += cr;
          g += cg;
          b += cb;
          a += 255;
        }
      }
      const n = ss * ss;
      const o = (j * size + i) * 4;
      const cover = a / n;
      px[o] = cover ? Math.round(r / (a / 255)) : 0;
      px[o + 1] = cover ? Math.round(g / (a / 255)) : 0;
      px[o + 2] = cover ? Math.round(b / (a / 255)) : 0;
      px[o + 3] = Math.round(cover);
    }
  }
  return encodePng(size, size, px);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  mkdirSync(path.join(ROOT, 'assets', 'icons'), { recursive: true });
  for (const size of [256, 512]) {
    writeFileSync(path.join(ROOT, 'assets', 'icons', `${size}x${size}.png`), draw(size));
  }
  writeFileSync(path.join(ROOT, 'assets', 'icon.png'), draw(1024));
  console.log('wrote assets/icons/256x256.png, assets/icons/512x512.png, assets/icon.png');
}
