import { describe, expect, it } from 'vitest';
import {
  assignRoles,
  detectHeader,
  roleOfName,
  sniffDelimiter,
  splitLine,
} from '../../src/services/delimited-text.js';
import { hash32, HyperLogLog } from '../../src/services/hyperloglog.js';

describe('splitLine', () => {
  it.each([
    ['a,b,c', ',', ['a', 'b', 'c']],
    ['"a,1","b""q",c', ',', ['a,1', 'b"q', 'c']],
    ['"x";"y";"0"', ';', ['x', 'y', '0']],
    ['1::2::3', '::', ['1', '2', '3']],
    ['  1  2 3 ', ' ', ['1', '2', '3']],
    ['"unterminated,1', ',', ['unterminated,1']],
    ['a,,c', ',', ['a', '', 'c']],
  ])('%j split on %j', (line, delimiter, fields) => {
    expect(splitLine(line, delimiter)).toEqual(fields);
  });
});

describe('sniffDelimiter', () => {
  it('prefers the most consistent split', () => {
    const lines = [
      '1\t10\tThe Movie, Part 1',
      '1\t11\tAnother',
      '2\t10\tA, B, C',
    ];
    expect(sniffDelimiter(lines)?.delimiter).toBe('\t');
  });

  it('prefers a comma over the space inside a date', () => {
    const lines = ['1,10,5,2020-01-01 10:00', '2,11,4,2020-01-02 11:00'];
    expect(sniffDelimiter(lines)).toMatchObject({ delimiter: ',', fields: 4 });
  });

  it('finds nothing in single-column lines', () => {
    expect(sniffDelimiter(['abc', 'def'])).toBeUndefined();
  });
});

describe('headers and roles', () => {
  it.each([
    ['userId', 'user'],
    ['User-ID', 'user'],
    ['artistID', 'item'],
    ['ISBN', 'item'],
    ['Book-Rating', 'rating'],
    ['playcount', 'rating'],
    ['timestamp', 'time'],
    ['title', undefined],
  ])('%s is a %s column', (name, role) => {
    expect(roleOfName(name)).toBe(role);
  });

  it('tells a header by names or by text over numbers', () => {
    expect(
      detectHeader([
        ['userId', 'movieId'],
        ['1', '2'],
      ]),
    ).toBe(true);
    expect(
      detectHeader([
        ['who', 'what', 'stars'],
        ['1', '2', '3'],
      ]),
    ).toBe(true);
    expect(
      detectHeader([
        ['1', '2', '3'],
        ['4', '5', '6'],
      ]),
    ).toBe(false);
    // String ids in the first row are not a header when the rest vary too.
    expect(
      detectHeader([
        ['u1', '034545104X', '0'],
        ['u2', '0739432540', '5'],
      ]),
    ).toBe(false);
  });

  it('assigns roles by name, then by position', () => {
    expect(
      assignRoles(['rating', 'userId', 'movieId'], [['5', '1', '2']], 3),
    ).toEqual({ rating: 0, user: 1, item: 2 });
    expect(assignRoles(undefined, [['a', 'b', 'x', '9']], 4)).toEqual({
      user: 0,
      item: 1,
      time: 3,
    });
  });
});

describe('HyperLogLog', () => {
  it('estimates a distinct count within a few percent', () => {
    const hll = new HyperLogLog();
    for (let i = 0; i < 200_000; i += 1) hll.add(`user-${i % 150_000}`);
    expect(hll.count()).toBeGreaterThan(150_000 * 0.96);
    expect(hll.count()).toBeLessThan(150_000 * 1.04);
  });

  it('is exact enough for small counts', () => {
    const hll = new HyperLogLog();
    for (const id of ['a', 'b', 'c', 'a']) hll.add(id);
    expect(hll.count()).toBe(3);
    expect(hash32('a')).not.toBe(hash32('b'));
  });
});
