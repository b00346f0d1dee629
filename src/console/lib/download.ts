/**
 * Saves what the API sent as a file. Downloads need the access token, which a plain link cannot
 * carry, so the console fetches the bytes and hands the browser a blob: URL to save.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
