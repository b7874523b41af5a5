/**
 * How a terminal shows a fix before asking for a yes (the CLI's `kiln doctor --fix` and browser mode's terminal
 * confirmation): every argv exactly as it will run, and any file it writes in full.
 */

/** The argv lines, one JSON array each: what is shown is exactly what runs (no shell). */
export function argvLines(commands: readonly (readonly string[])[]): string[] {
  return commands.map((argv) => `    ${JSON.stringify(argv)}`);
}

/** "It writes PATH:" and the file's lines, each behind a bar. */
export function filePreviewLines(preview: { path: string; content: string }): string[] {
  return [
    `  It writes ${preview.path}:`,
    ...preview.content
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `    | ${l}`),
  ];
}
