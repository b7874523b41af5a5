/**
 * An argv shown as one line a person can read (and paste): words quoted the way a POSIX shell would need. Display
 * only — the service runs the argv array as is, never through a shell.
 */
export function argvText(argv: string[]): string {
  return argv
    .map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
