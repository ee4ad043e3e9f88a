import { describe, expect, it } from 'vitest';
import { IntList } from '../../src/engine/join-target.js';

describe('IntList', () => {
  const listOf = (capacity: number, n: number) => {
    const list = new IntList(capacity);
    for (let i = 0; i < n; i++) list.push(3 * i + 1);
    return list;
  };

  it('hands over its own array when it has the room asked for, holding what was pushed', () => {
    const list = listOf(100, 40);
    const before = list.view();
    const data = list.release(60, 500);
    expect(data.buffer).toBe(before.buffer);
    expect(data.length).toBe(100);
    expect(Array.from(data.subarray(0, 40))).toEqual(Array.from({ length: 40 }, (_, i) => 3 * i + 1));
    // Not to be used after: it holds nothing.
    expect(list.length).toBe(0);
    expect(list.view().length).toBe(0);
  });

  it('copies into an array of the size asked for when it has less room (grown by pushes too)', () => {
    const list = listOf(16, 40);
    const data = list.release(100, 250);
    expect(data.length).toBe(250);
    expect(Array.from(data.subarray(0, 40))).toEqual(Array.from({ length: 40 }, (_, i) => 3 * i + 1));
    expect(listOf(16, 10).release(20).length).toBe(20);
  });
});
