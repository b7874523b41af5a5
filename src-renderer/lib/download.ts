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
