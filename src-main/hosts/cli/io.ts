/**
 * What the CLI touches of its process, passed in so tests can run `runCli` in-process with captured output:
 * the three streams, the environment, the working directory and signal registration.
 */
export interface OutStream {
  write(data: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface InStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Registers a SIGINT/SIGTERM handler; returns the unregister function. */
  onSignal(signal: 'SIGINT' | 'SIGTERM', handler: () => void): () => void;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin as InStream,
    env: process.env,
    cwd: process.cwd(),
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    },
  };
}
