/**
 * Debian's real mosquitto for fleet tests: a generated config in a mkdtemp folder (never the system service), a
 * free local port, a password file made with mosquitto_passwd, persistence on (so a stop and start keeps queued
 * messages and retained ones, as a real broker restart does). `stop` ends it with SIGTERM (it saves its
 * database); `start` brings it back on the same port. With `{ tls: true }` it listens for mqtts:// only, with a
 * server certificate for 127.0.0.1 signed by a throw-away CA made with openssl (`caPem`, `caFile`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const MOSQUITTO = '/usr/sbin/mosquitto';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A CA and a server certificate for 127.0.0.1 (IP SAN, as Node checks), valid for a day, in `dir`. */
function makeCertificates(dir: string): void {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
    ].concat(['-subj', '/CN=Kiln test CA']),
  );
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-out',
      'server.crt',
      '-days',
      '1',
      '-extfile',
      'san.ext',
    ]),
  );
}

export class Mosquitto {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-mosquitto-'));
  readonly user = 'station';
  readonly password = `pw-${Math.random().toString(36).slice(2)}`;
  port = 0;
  private child: ChildProcess | undefined;
  log = '';

  constructor(private readonly o: { tls?: boolean } = {}) {}

  get url(): string {
    return `${this.o.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  get caFile(): string {
    return path.join(this.dir, 'ca.crt');
  }

  get caPem(): string {
    return readFileSync(this.caFile, 'utf8');
  }

  /** Starts the broker (on a new free port the first time) and resolves once it listens. */
  async start(): Promise<void> {
    if (this.port === 0) {
      this.port = await freePort();
      const pw = path.join(this.dir, 'passwords');
      const made = spawnSync('mosquitto_passwd', ['-b', '-c', pw, this.user, this.password]);
      if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
      if (this.o.tls) makeCertificates(this.dir);
      writeFileSync(
        path.join(this.dir, 'mosquitto.conf'),
        [
          `listener ${this.port} 127.0.0.1`,
          ...(this.o.tls
            ? [`cafile ${this.caFile}`, `certfile ${this.dir}/server.crt`, `keyfile ${this.dir}/server.key`]
            : []),
          `password_file ${pw}`,
          'allow_anonymous false',
          'persistence true',
          `persistence_location ${this.dir}/`,
          // Run as root (CI), mosquitto would switch to its own user, who cannot read this private folder.
          'user root',
          'log_dest stderr',
          'log_type all',
          '',
        ].join('\n'),
      );
    }
    const child = spawn(MOSQUITTO, ['-c', path.join(this.dir, 'mosquitto.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        this.log += d.toString();
        if (/mosquitto version \S+ running/.test(this.log.slice(this.log.lastIndexOf('starting')))) resolve();
      });
      child.once('exit', (code) => reject(new Error(`mosquitto exited ${code}: ${this.log}`)));
    });
  }

  /** SIGTERM and wait: mosquitto saves its database and closes every connection. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
