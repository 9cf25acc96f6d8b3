/**
 * The UTF-16 byte order mark a file's first bytes hold, if any: Windows PowerShell 5's `>` writes
 * UTF-16LE with one, and the files the project reads are UTF-8.
 */
export function utf16ByteOrder(bytes: Uint8Array): 'LE' | 'BE' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'BE';
  return undefined;
}
