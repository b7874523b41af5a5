/** The simulator served over TCP and over a socat pty pair, on the real clock (byte assertions only). */
import net from 'node:net';
import { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { realClock } from '../../src-main/core/clock';
import { Op, SYNC_PAYLOAD, decodeResponse, encodeRequest, words } from '../../src-main/esp/link/protocol';
import { SlipDecoder, slipEncode } from '../../src-main/esp/link/slip';
import { SimulatedDevice, serveTcp, servePty } from '../../src-main/sim/index';

function collector() {
  const chunks: Buffer[] = [];
  const frames: Buffer[] = [];
  const dec = new SlipDecoder({ frame: (f) => frames.push(f) });
  return {
    chunks,
    frames,
    push(c: Buffer) {
      chunks.push(c);
      dec.push(c);
    },
    text: () => Buffer.concat(chunks).toString('latin1'),
    async until(pred: () => boolean, ms = 3000) {
      const end = Date.now() + ms;
      while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      return pred();
    },
  };
}

describe('serveTcp', () => {
  it('serves the chip in download mode as a raw byte stream; one host at a time', async () => {
    const device = new SimulatedDevice({ chip: 'esp32', clock: realClock });
    const server = await serveTcp({ device, host: '127.0.0.1', port: 0 });
    const sock = net.connect(server.port, '127.0.0.1');
    const rx = collector();
    sock.on('data', (c) => rx.push(c));
    await new Promise<void>((r) => sock.once('connect', () => r()));
    expect(await rx.until(() => rx.text().includes('waiting for download'))).toBe(true);
    expect(device.mode).toBe('download');

    const second = net.connect(server.port, '127.0.0.1');
    const secondClosed = new Promise<void>((r) => second.once('close', () => r()));
    second.on('error', () => {});
    await secondClosed;

    rx.frames.length = 0;
    sock.write(slipEncode(encodeRequest(Op.SYNC, SYNC_PAYLOAD)));
    expect(await rx.until(() => rx.frames.length >= 8)).toBe(true);
    expect(rx.frames.slice(0, 8).every((f) => decodeResponse(f)!.value === 0x20120707)).toBe(true);
    rx.frames.length = 0;
    sock.write(slipEncode(encodeRequest(Op.READ_REG, words(0x40001000))));
    expect(await rx.until(() => rx.frames.length >= 1)).toBe(true);
    expect(decodeResponse(rx.frames[0]!)!.value).toBe(0x00f01d83);
    sock.destroy();
    await server.close();
  });
});

describe('servePty', () => {
  it('serves the chip on a pty path that serialport can open', async () => {
    const device = new SimulatedDevice({ chip: 'esp8266', clock: realClock });
    const pty = await servePty({ device });
    const port = new SerialPort({ path: pty.hostPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    const rx = collector();
    port.on('data', (c: Buffer) => rx.push(c));
    // The host baud is not visible to the simulator over a pty: taken as matching, so the banner is text.
    device.powerCycle({ buttonHeld: true });
    expect(await rx.until(() => rx.text().includes('boot mode:(1,7)'))).toBe(true);
    rx.frames.length = 0;
    port.write(slipEncode(encodeRequest(Op.SYNC, SYNC_PAYLOAD)));
    expect(await rx.until(() => rx.frames.length >= 8)).toBe(true);
    expect([...decodeResponse(rx.frames[0]!)!.data]).toEqual([0, 0]);
    await new Promise<void>((r) => port.close(() => r()));
    await pty.close();
  });
});
