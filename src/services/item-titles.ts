/**
 * Item titles from a catalogue file, read as the trainer reads a ratings
 * file: the delimiter sniffed from the first lines, a header or none,
 * UTF-8 or else Latin-1, quoted fields, CRLF, a byte-order mark. So
 * ml-latest-small's movies.csv (movieId,title,genres) and MovieLens 100K's
 * u.item (id|title|date|..., Latin-1, no header) both read as they are.
 */
import { createReadStream } from 'node:fs';
import {
  detectHeader,
  roleOfName,
  sniffDelimiter,
  splitLine,
} from './delimited-text.js';

const SNIFF_LINES = 50;
/** A longer "line" means the file is not line-oriented text. */
const MAX_LINE_CHARS = 16 << 20;

/** Header names of the id column, in order of preference. */
const ID_NAMES = ['movieid', 'itemid', 'item', 'id'];
/** Header names of the title column, in order of preference. */
const TITLE_NAMES = ['title', 'name'];

/** Where the id and the title are in each line. */
interface TitleLayout {
  delimiter: string;
  hasHeader: boolean;
  idColumn: number;
  titleColumn: number;
}

/** A file the titles cannot be read from; the message says why. */
export class UnreadableTitles extends Error {}

/**
 * The titles of the items `isKnown` accepts, by item id, streamed from a
 * file of any size (only the known items' titles are kept). With a header,
 * the id column is movieId, item, item_id or id (else the first) and the
 * title column title or name (else the second); without one, the id comes
 * first and the title second. Rejects with UnreadableTitles when the file
 * holds no delimited text.
 */
export async function readItemTitles(
  file: string,
  isKnown: (itemId: string) => boolean,
): Promise<Map<string, string>> {
  // Read as Latin-1, one char per byte; decoded once the encoding is known.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let isUtf8 = true;
  let layout: TitleLayout | undefined;
  let headerPending = false;
  const sniffed: string[] = [];
  // Latin-1 forms of [id, title]: those of known ids, and any id that may
  // only match once decoded.
  const candidates: [string, string][] = [];

  const onRecord = (line: string) => {
    if (!layout) return;
    if (headerPending) {
      headerPending = false;
      return;
    }
    const fields = splitLine(line, layout.delimiter);
    const id = fields[layout.idColumn]?.trim();
    const title = fields[layout.titleColumn]?.trim();
    if (id && title && (isKnown(id) || !isAscii(id))) {
      candidates.push([id, title]);
    }
  };
  const configure = () => {
    layout = layoutOf(sniffed);
    headerPending = layout.hasHeader;
    sniffed.forEach(onRecord);
    sniffed.length = 0;
  };
  const onLine = (line: string) => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    if (layout) return onRecord(text);
    sniffed.push(text);
    if (sniffed.length >= SNIFF_LINES) configure();
  };

  const stream = createReadStream(file);
  let carry = '';
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let bytes = chunk;
      if (first) {
        first = false;
        bytes = withoutByteOrderMark(chunk);
      }
      if (isUtf8) {
        try {
          utf8.decode(bytes, { stream: true });
        } catch {
          isUtf8 = false;
        }
      }
      const lines = (carry + bytes.toString('latin1')).split('\n');
      carry = lines.pop() ?? '';
      if (carry.length > MAX_LINE_CHARS) {
        throw new UnreadableTitles('a line is longer than 16 MB');
      }
      lines.forEach(onLine);
    }
  } finally {
    stream.destroy();
  }
  if (isUtf8) {
    try {
      utf8.decode();
    } catch {
      isUtf8 = false;
    }
  }
  onLine(carry);
  if (!layout) configure();

  const decode = (text: string) =>
    isUtf8 ? Buffer.from(text, 'latin1').toString('utf8') : text;
  const titles = new Map<string, string>();
  for (const [rawId, rawTitle] of candidates) {
    const id = decode(rawId);
    if (isKnown(id)) titles.set(id, decode(rawTitle));
  }
  return titles;
}

function withoutByteOrderMark(chunk: Buffer): Buffer {
  if (chunk[0] === 0xff || chunk[0] === 0xfe || chunk.includes(0)) {
    throw new UnreadableTitles(
      'it is binary or UTF-16, not delimited text; save it as UTF-8',
    );
  }
  const bom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
  return bom ? chunk.subarray(3) : chunk;
}

/** Delimiter, header and the id and title columns, from the first lines. */
function layoutOf(lines: string[]): TitleLayout {
  if (lines.length === 0) throw new UnreadableTitles('the file is empty');
  const sniff = sniffDelimiter(lines);
  if (!sniff) {
    throw new UnreadableTitles(
      'every line is a single column, and titles need an id and a title ' +
        '(no , tab ; | :: or space splits the lines)',
    );
  }
  const rows = lines.map((line) =>
    splitLine(line, sniff.delimiter).map((field) => field.trim()),
  );
  const names = (rows[0] ?? []).map(normalized);
  const named = (wanted: string[]) => {
    for (const name of wanted) {
      const column = names.indexOf(name);
      if (column >= 0) return column;
    }
    return -1;
  };
  const idByName = named(ID_NAMES);
  const titleByName = named(TITLE_NAMES);
  const hasHeader = idByName >= 0 || titleByName >= 0 || detectHeader(rows);
  if (!hasHeader) {
    return {
      delimiter: sniff.delimiter,
      hasHeader,
      idColumn: 0,
      titleColumn: 1,
    };
  }
  const itemRole = rows[0]?.findIndex((name) => roleOfName(name) === 'item');
  const idColumn = idByName >= 0 ? idByName : Math.max(0, itemRole ?? -1);
  const titleColumn = titleByName >= 0 ? titleByName : idColumn === 1 ? 0 : 1;
  return { delimiter: sniff.delimiter, hasHeader, idColumn, titleColumn };
}

/** A header name in the form the lists above use: item_id → itemid. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}
