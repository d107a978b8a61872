/** Exit codes of product.md, the same as the original train_max_model.py. */
export const ExitCode = {
  ok: 0,
  invocation: 1,
  environment: 2,
  configuration: 3,
  data: 4,
  training: 5,
  download: 6,
  extraction: 7,
  copy: 8,
} as const;

export type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];

/**
 * An error meant for the user: `message` says what happened, `hint` what to
 * do about it; `exitCode` is what a headless command exits with.
 */
export class MaxrecError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(
    exitCode: ExitCodeValue,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'MaxrecError';
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || error.name === 'AbortSignal')
  );
}

/** The one or two lines shown to a user for any error. */
export function describeError(error: unknown): string {
  if (error instanceof MaxrecError) {
    return error.hint ? `${error.message}\n${error.hint}` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
