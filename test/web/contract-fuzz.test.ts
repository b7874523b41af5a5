/**
 * The contract, fuzzed through the real WebSocket (issue 15): random method names and payloads built from the
 * zod schemas (plus truncated and malformed frames that still carry an id) for a bounded count. Every reply
 * carries the request's id, every failure a code from the error catalogue, the connection stays usable and the
 * server's heap stays within a bound. The service behind it runs on fake engine and doctor dependencies, so no
 * call can touch this machine's ports or run a fix.
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ERROR_CODES } from '../../src-main/core/errors';
import { startWebServer, type WebServer } from '../../src-main/hosts/web/server';
import { methods, type WireServerMessage } from '../../src-main/service/contract';
import { METHOD_NAMES } from '../../src-main/vocabulary';
import { silentLogger } from '../../src-main/service/deps';
import { parseWire, stringifyWire } from '../../src-main/service/wire-codec';
import { harness, tempDir, type Harness } from '../service/fakes';
import { arbitraryFor } from '../helpers/zod-arbitrary';

const CALLS = 400;
const HEAP_BOUND_BYTES = 150 * 1024 * 1024;
const KNOWN_CODES = new Set(Object.keys(ERROR_CODES));

let h: Harness;
let server: WebServer;
let ws: WebSocket;
const waiting = new Map<number, (m: WireServerMessage & { type: 'result' }) => void>();
const stray: WireServerMessage[] = [];

beforeAll(async () => {
  h = harness();
  const dir = tempDir('kiln-fuzz-renderer-');
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Kiln</title>');
  server = await startWebServer({ service: h.service, rendererDir: dir, logger: silentLogger });
  const origin = `http://127.0.0.1:${server.port}`;
  ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.on('message', (data) => {
    const m = parseWire(data.toString()) as WireServerMessage;
    if (m.type !== 'result') return;
    const w = waiting.get(m.id);
    if (w) {
      waiting.delete(m.id);
      w(m);
    } else stray.push(m);
  });
});

afterAll(async () => {
  ws?.close();
  await server?.close();
  await h?.service.shutdown();
});

let nextId = 1;
function reply(id: number, send: () => void): Promise<WireServerMessage & { type: 'result' }> {
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    send();
  });
}

const outcomes = new Map<string, number>();
function checkFailure(r: WireServerMessage & { type: 'result' }): void {
  const key = r.ok ? 'ok' : r.error.code;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  if (r.ok) return;
  expect(KNOWN_CODES.has(r.error.code), `unknown code ${r.error.code}`).toBe(true);
  expect(typeof r.error.message).toBe('string');
}

const methodName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...METHOD_NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty') },
);
const call = methodName.chain((method) => {
  const schema = (methods as Record<string, { input: Parameters<typeof arbitraryFor>[0] }>)[method];
  return fc.record({
    method: fc.constant(method),
    input:
      schema && Object.hasOwn(methods, method) ? arbitraryFor(schema.input) : fc.jsonValue({ maxDepth: 3 }),
  });
});

describe('contract fuzz over the WebSocket', () => {
  it(`${CALLS} random calls: every reply has the call's id and a known code; the heap stays bounded`, async () => {
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    await fc.assert(
      fc.asyncProperty(call, async ({ method, input }) => {
        const id = nextId++;
        const r = await reply(id, () => ws.send(stringifyWire({ type: 'call', id, method, input })));
        expect(r.id).toBe(id);
        checkFailure(r);
      }),
      { numRuns: CALLS },
    );
    // Frames that are cut, or nested far too deep, still come back under their id.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHOD_NAMES),
        fc.string({ maxLength: 30 }),
        fc.integer({ min: 1, max: 6000 }),
        async (method, tail, depth) => {
          const id = nextId++;
          const frames = [
            `{"type":"call","id":${id},"method":${JSON.stringify(method)},"input":${tail}`,
            `{"type":"call","id":${id},"method":${JSON.stringify(method)},"input":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
          ];
          for (const frame of frames) {
            const r = await reply(id, () => ws.send(frame));
            expect(r.id).toBe(id);
            checkFailure(r);
          }
        },
      ),
      { numRuns: 100 },
    );
    expect(stray).toEqual([]);
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    console.log(
      `contract fuzz: ${nextId - 1} calls, heap grew ${(grown / 1024 / 1024).toFixed(1)} MB; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(grown).toBeLessThan(HEAP_BOUND_BYTES);
    // Still usable afterwards.
    const id = nextId++;
    const ok = await reply(id, () =>
      ws.send(stringifyWire({ type: 'call', id, method: 'getSettings', input: {} })),
    );
    expect(ok.ok).toBe(true);
  }, 240_000);
});
