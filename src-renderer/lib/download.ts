/**
 * Hands a file to the host's save mechanism: the browser's download (browser mode), Electron's save dialog
 * (desktop). The link is made, clicked and removed at once; the object URL lives a little longer so the save can
 * read it.
 */
export function saveFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The last part of a path the service reported (POSIX or Windows separators). */
export function fileName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/**
 * Saves a file the service keeps in its firmware cache (a backup read from a board) under its own file name: in
 * browser mode the bytes live on the server, so they are fetched by SHA-256 first.
 */
export async function saveCachedFile(
  api: { getFirmware(input: { sha256: string }): Promise<{ bytes: Uint8Array }> },
  file: { sha256: string; file: string },
): Promise<void> {
  const { bytes } = await api.getFirmware({ sha256: file.sha256 });
  saveFile(
    fileName(file.file),
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );
}
