/**
 * What a user named by flag, by its name or its id, among what the account
 * holds (a resource group, a COS credential). A miss is an invocation
 * error that names what there is, so that the next try can be right.
 */
import { ExitCode, MaxrecError } from '../../core/errors.js';

export interface PickNamed<T> {
  /** What the items are, for messages: "resource group". */
  what: string;
  /** The flag that named it: "--resource-group". */
  flag: string;
  /** The command that lists them: "maxrec ibm groups". */
  lister: string;
  name(item: T): string;
  id(item: T): string;
  /** The hint when there are none at all. */
  none: string;
}

/** Names shown at most when saying what there is. */
const NAMES_SHOWN = 10;

/** The item whose id is `wanted`, else the one item named so. */
export function pickNamed<T>(items: T[], wanted: string, how: PickNamed<T>): T {
  const byId = items.find((item) => how.id(item) === wanted);
  if (byId) return byId;
  const named = items.filter((item) => how.name(item) === wanted);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new MaxrecError(
      ExitCode.invocation,
      `${named.length} ${how.what}s are named "${wanted}".`,
      { hint: `Give ${how.flag} the ID instead: ${how.lister} lists them.` },
    );
  }
  throw new MaxrecError(ExitCode.invocation, `No ${how.what} "${wanted}".`, {
    hint:
      items.length === 0
        ? how.none
        : `Give ${how.flag} one of these: ${names(items, how)}.`,
  });
}

function names<T>(items: T[], how: PickNamed<T>): string {
  const shown = items.slice(0, NAMES_SHOWN).map((item) => how.name(item));
  const more = items.length > NAMES_SHOWN ? `, … (${how.lister})` : '';
  return `${shown.join(', ')}${more}`;
}
