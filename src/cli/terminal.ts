/**
 * Whether the full-screen app and prompts can run: both ends must be a
 * terminal, and not in CI (where Ink only draws the last frame).
 */
export function isInteractive(io: {
  stdin: { isTTY?: boolean };
  stdout: { isTTY?: boolean };
}): boolean {
  const ci = process.env['CI'];
  const inCi = ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
  return Boolean(io.stdin.isTTY && io.stdout.isTTY) && !inCi;
}
