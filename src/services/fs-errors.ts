/** Turning file-system errors into words a user can act on. */

/** The errno code of a Node error (`ENOENT`...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

const MEANINGS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'it already exists',
};

/** A short reason for messages: the errno code's meaning, else the message. */
export function reasonOf(error: unknown): string {
  const code = errorCode(error);
  const meaning = code ? MEANINGS[code] : undefined;
  if (code && meaning) return `${meaning} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
