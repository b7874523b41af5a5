/**
 * Which `socket://HOST:PORT` targets Kiln may open. A socket:// port is a raw TCP connection that a monitor can
 * send any bytes through and read any reply from, so a page must not pick targets: that would make Kiln a TCP
 * client for whoever holds the page (the review fetched a local web page this way, and told refusing hosts
 * from unknown ones). A target is used only after the host confirmed it — Electron's own dialog, the terminal
 * that runs browser mode, or the command line the person typed — and the host remembers it in
 * `<dataDir>/socket-targets.json` (written by the host only; no contract method writes it). Loopback is not
 * exempt: the local web server of the review was on 127.0.0.1. Nothing is resolved or connected before that.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError } from '../core/errors';
import { writePrivateFile } from '../core/private-files';
import type { FixConfirmationRequest } from './deps';

/** The host's yes or no for one target (`host:port`). */
export type SocketTargetConfirmation = (target: string) => Promise<boolean>;

/** `socket://Host:2217/` → `host:2217`; undefined when it is not a host and port. */
export function socketTarget(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'socket:' || !u.hostname || !u.port) return undefined;
    return `${u.hostname.toLowerCase()}:${u.port}`;
  } catch {
    return undefined;
  }
}

export class SocketTargets {
  private readonly file: string;
  private allowed: Set<string> | undefined;
  /** One question at a time per target. */
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(
    dataDir: string,
    private readonly confirm: SocketTargetConfirmation | undefined,
  ) {
    this.file = path.join(dataDir, 'socket-targets.json');
  }

  private async load(): Promise<Set<string>> {
    if (!this.allowed) {
      const text = await readFile(this.file, 'utf8').catch(() => '[]');
      let list: unknown;
      try {
        list = JSON.parse(text);
      } catch {
        list = [];
      }
      this.allowed = new Set(
        Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [],
      );
    }
    return this.allowed;
  }

  /** Resolves when the target may be opened; throws BAD_REQUEST otherwise (the same for every refused target). */
  async admit(url: string): Promise<void> {
    const target = socketTarget(url);
    const refuse = () =>
      new KilnError('BAD_REQUEST', `${url} is not one of your serial bridges.`, {
        hint: 'Kiln connects only to network serial bridges (ser2net, ESP-Link, RFC 2217) confirmed on this computer: type the address in the port field and confirm it in Kiln\u2019s own dialog (or in the terminal running browser mode).',
        details: { port: url },
      });
    if (!target) throw refuse();
    const allowed = await this.load();
    if (allowed.has(target)) return;
    if (!this.confirm) throw refuse();
    let question = this.asking.get(target);
    if (!question) {
      question = this.confirm(target).finally(() => this.asking.delete(target));
      this.asking.set(target, question);
    }
    if (!(await question)) throw refuse();
    allowed.add(target);
    await writePrivateFile(this.file, `${JSON.stringify([...allowed].sort(), null, 1)}\n`);
  }
}

/** The question a host asks (in its own dialog or terminal) before a new target is allowed. */
export function socketTargetRequest(target: string): FixConfirmationRequest {
  return {
    title: `Allow a network serial bridge at ${target}`,
    why: `Kiln will open a raw TCP connection to ${target} and send serial data there. Say yes only for a serial bridge you use (ser2net, ESP-Link, RFC 2217, kiln sim --tcp) and typed yourself.`,
    commands: [],
  };
}
