import { describe, expect, it } from 'vitest';
import { transferLine } from '../../src/cli/journey-printer.js';

const progress = {
  name: 'data/README.txt',
  bytesDone: 8_345,
  bytesTotal: 2_873_000,
  filesDone: 0,
  filesTotal: 3,
};

describe('transferLine', () => {
  it('never says 0% once bytes were sent, and names the file in the total', () => {
    expect(transferLine(progress)).toBe(
      '  <1% 8.15 KB of 2.74 MB (file 1 of 3: data/README.txt)',
    );
  });

  it('says 100% only at the end', () => {
    expect(
      transferLine({ ...progress, bytesDone: 2_872_999, filesDone: 2 }),
    ).toMatch(/^ {2}99% .*\(file 3 of 3: /);
    expect(
      transferLine({
        ...progress,
        name: 'data/ratings.csv',
        bytesDone: 2_873_000,
        filesDone: 3,
      }),
    ).toBe('  100% 2.74 MB of 2.74 MB (file 3 of 3: data/ratings.csv)');
  });

  it('names a lone file without a count', () => {
    expect(
      transferLine({
        name: 'training-log.txt',
        bytesDone: 512,
        bytesTotal: 1024,
        filesDone: 0,
        filesTotal: 1,
      }),
    ).toBe('  50% 512 B of 1.00 KB (training-log.txt)');
  });
});
