/** `…abcd`: enough to tell two secrets apart, never enough to use one. */
export function maskSecret(secret: string): string {
  return secret.length > 8 ? `…${secret.slice(-4)}` : '…';
}
