/**
 * One streaming pass over a ratings file: byte-order mark, binary and
 * encoding checks, delimiter, header and roles from the first lines, then
 * every record counted. The file is read as Latin-1, whose one char per
 * byte keeps distinct ids distinct whatever the real encoding; names are
 * decoded once the encoding is known.
 */
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { DataInspection, DataProblem } from '../core/types.js';
import { delimiterChars, isDelimiter } from './config/schema.js';
import {
  assignRoles,
  detectHeader,
  isNumeric,
  measureDelimiter,
  sniffDelimiter,
  splitLine,
} from './delimited-text.js';
import {
  EXACT_LIMITS,
  InteractionCounter,
  type InteractionTotals,
} from './interaction-counts.js';

const SNIFF_LINES = 50;
const PREVIEW_ROWS = 5;
const BINARY_CHECK_BYTES = 8192;
const CHUNK_BYTES = 1 << 20;
/** A longer "line" means the file is not line-oriented text. */
const MAX_LINE_CHARS = 16 << 20;

export interface ScanOptions {
  /** Force a delimiter (typed form: ',', '\\t', '::' ...) instead of sniffing. */
  delimiter?: string;
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  signal?: AbortSignal;
  /** Distinct ids, and pairs, counted exactly before counts become estimates. */
  exactLimit?: number;
}

export interface ScanResult {
  delimiter: string;
  columns: number;
  header: string[] | undefined;
  roles: DataInspection['roles'];
  utf8: boolean;
  /** Data records read, duplicates included. */
  rows: number;
  preview: string[][];
  shortRows: { count: number; first: number };
  badRatings: { count: number; first: number; value: string };
  totals: InteractionTotals;
  /** Problems that stopped the scan early. */
  errors: DataProblem[];
}

export function abortError(): Error {
  const error = new Error('The data inspection was cancelled.');
  error.name = 'AbortError';
  return error;
}

/** One pass over a file; the state of the scan lives here. */
export class RatingsScan {
  private readonly errors: DataProblem[] = [];
  private readonly counter: InteractionCounter;
  private utf8 = true;
  private utf8Pending: Buffer = Buffer.alloc(0);
  private lineNumber = 0;
  private sniffed: { text: string; line: number }[] = [];
  private parse:
    | {
        delimiter: string;
        columns: number;
        header: string[] | undefined;
        roles: DataInspection['roles'];
        /** Fields up to the last one with a role we read. */
        fieldsNeeded: number;
        headerPending: boolean;
      }
    | undefined;
  private stopped = false;
  private quotesInChunk = true;
  private rows = 0;
  private preview: string[][] = [];
  private shortRows = { count: 0, first: 0 };
  private badRatings = { count: 0, first: 0, value: '' };

  constructor(
    private readonly file: string,
    private readonly bytes: number,
    private readonly options: ScanOptions,
  ) {
    const limit = options.exactLimit;
    this.counter = new InteractionCounter(
      limit ? { ids: limit, pairs: limit } : EXACT_LIMITS,
    );
  }

  async run(): Promise<void> {
    const { signal, onProgress } = this.options;
    if (signal?.aborted) throw abortError();
    if (this.bytes === 0) {
      this.errors.push({ message: 'the file is empty' });
      return;
    }
    const stream = createReadStream(this.file, {
      highWaterMark: CHUNK_BYTES,
      signal,
    });
    let bytesRead = 0;
    let carry = '';
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (signal?.aborted) throw abortError();
        let bytes = chunk;
        if (bytesRead === 0) {
          bytes = this.checkStart(chunk);
          if (this.stopped) break;
        }
        bytesRead += chunk.length;
        this.trackEncoding(bytes);
        const text = carry + bytes.toString('latin1');
        // One search per chunk spares a search per line in unquoted files.
        this.quotesInChunk = text.includes('"');
        let start = 0;
        for (;;) {
          const end = text.indexOf('\n', start);
          if (end < 0) break;
          this.onLine(text, start, end);
          start = end + 1;
          if (this.stopped) break;
        }
        if (this.stopped) break;
        carry = text.slice(start);
        if (carry.length > MAX_LINE_CHARS) {
          this.stop(`line ${this.lineNumber + 1} is longer than 16 MB`);
          break;
        }
        onProgress?.(bytesRead, this.bytes);
      }
    } finally {
      stream.destroy();
    }
    if (this.stopped) return;
    if (carry) this.onLine(carry, 0, carry.length);
    this.trackEncoding(Buffer.alloc(0), true);
    if (!this.parse && !this.stopped) this.configure();
  }

  /** What the scan found; ids and names still as Latin-1 strings. */
  result(): ScanResult {
    return {
      delimiter: this.parse?.delimiter ?? '',
      columns: this.parse?.columns ?? 0,
      header: this.parse?.header,
      roles: this.parse?.roles ?? {},
      utf8: this.utf8,
      rows: this.rows,
      preview: this.preview,
      shortRows: this.shortRows,
      badRatings: this.badRatings,
      totals: this.counter.totals(),
      errors: this.errors,
    };
  }

  /** Byte-order mark and binary check on the first chunk. */
  private checkStart(chunk: Buffer): Buffer {
    const head = chunk.subarray(0, BINARY_CHECK_BYTES);
    if (head[0] === 0xff || head[0] === 0xfe) {
      this.stop('the file is UTF-16 text; save it as UTF-8 or Latin-1');
    } else if (head.includes(0)) {
      this.stop('the file is binary, not delimited text (it holds NUL bytes)');
    }
    const bom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
    return bom ? chunk.subarray(3) : chunk;
  }

  /**
   * UTF-8 is checked up to the last ASCII byte of each chunk, so that a
   * character split between chunks is checked whole with the next one.
   */
  private trackEncoding(bytes: Buffer, last = false): void {
    if (!this.utf8) return;
    let block = this.utf8Pending.length
      ? Buffer.concat([this.utf8Pending, bytes])
      : bytes;
    let cut = block.length;
    if (!last) {
      while (cut > 0 && (block[cut - 1] ?? 0) >= 0x80) cut -= 1;
      if (cut === 0 && block.length > 64) cut = block.length;
    }
    this.utf8Pending = Buffer.from(block.subarray(cut));
    block = block.subarray(0, cut);
    if (!isUtf8(block)) this.utf8 = false;
  }

  private onLine(text: string, start: number, end: number): void {
    this.lineNumber += 1;
    const lineEnd = text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const line = text.slice(start, lineEnd);
    if (line === '' || (line.charCodeAt(0) <= 32 && line.trim() === '')) {
      return;
    }
    if (this.parse) {
      this.onRecord(line, this.lineNumber);
      return;
    }
    this.sniffed.push({ text: line, line: this.lineNumber });
    if (this.sniffed.length >= SNIFF_LINES) this.configure();
  }

  /** Decide delimiter, header and roles from the first lines, then replay them. */
  private configure(): void {
    const lines = this.sniffed.map((entry) => entry.text);
    if (lines.length === 0) {
      this.stop('the file is empty');
      return;
    }
    const forced = this.options.delimiter;
    let sniff;
    if (forced !== undefined) {
      if (!isDelimiter(forced)) {
        this.stop(
          `the delimiter "${forced}" is not one of , \\t ; | :: or a space`,
        );
        return;
      }
      sniff = measureDelimiter(lines, delimiterChars(forced));
      if (!sniff) {
        const found = sniffDelimiter(lines);
        const suggestion = found
          ? `; the file seems to use ${JSON.stringify(found.delimiter)}`
          : '';
        this.stop(
          `the delimiter ${JSON.stringify(delimiterChars(forced))} splits no line${suggestion}`,
        );
        return;
      }
    } else {
      sniff = sniffDelimiter(lines);
      if (!sniff) {
        this.stop(
          'every line is a single column: no delimiter (, tab ; | :: space) splits the lines',
        );
        return;
      }
    }
    const rows = lines.map((line) => splitLine(line, sniff.delimiter));
    const hasHeader = detectHeader(rows);
    const header = hasHeader
      ? rows[0]?.map((field) => field.trim())
      : undefined;
    const roles = assignRoles(
      header,
      hasHeader ? rows.slice(1) : rows,
      sniff.fields,
    );
    this.parse = {
      delimiter: sniff.delimiter,
      columns: Math.max(sniff.fields, header?.length ?? 0),
      header,
      roles,
      fieldsNeeded:
        Math.max(roles.user ?? 0, roles.item ?? 1, roles.rating ?? 0) + 1,
      headerPending: hasHeader,
    };
    for (const entry of this.sniffed) this.onRecord(entry.text, entry.line);
    this.sniffed = [];
  }

  private onRecord(line: string, lineNumber: number): void {
    const parse = this.parse;
    if (!parse) return;
    if (parse.headerPending) {
      parse.headerPending = false;
      return;
    }
    this.rows += 1;
    const fields =
      this.preview.length < PREVIEW_ROWS
        ? splitLine(line, parse.delimiter)
        : !this.quotesInChunk && parse.delimiter !== ' '
          ? line.split(parse.delimiter, parse.fieldsNeeded)
          : splitLine(line, parse.delimiter, parse.fieldsNeeded);
    const { user: userColumn = 0, item: itemColumn = 1, rating } = parse.roles;
    const user = fields[userColumn]?.trim();
    const item = fields[itemColumn]?.trim();
    if (!user || !item) {
      this.shortRows.count += 1;
      this.shortRows.first ||= lineNumber;
      return;
    }
    if (rating !== undefined) {
      const value = fields[rating] ?? '';
      if (!isNumeric(value)) {
        this.badRatings.count += 1;
        if (this.badRatings.count === 1) {
          this.badRatings.first = lineNumber;
          this.badRatings.value = value;
        }
      }
    }
    if (this.preview.length < PREVIEW_ROWS) this.preview.push(fields);
    this.counter.add(user, item);
  }

  private stop(message: string, line?: number): void {
    this.errors.push(line === undefined ? { message } : { message, line });
    this.stopped = true;
  }
}
