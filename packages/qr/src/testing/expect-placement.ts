import { expect } from 'vitest';

/**
 * The dark modules of a drawn symbol span exactly `modules` × `modules` starting at
 * (`margin`, `margin`): finder patterns fill three corners, so a shifted, cropped or
 * scaled drawing fails this even when a decoder would still read it.
 */
export function expectPlacement(grid: readonly (readonly boolean[])[], modules: number, margin: number): void {
  let top = Infinity;
  let bottom = -1;
  let left = Infinity;
  let right = -1;
  grid.forEach((cells, row) => {
    cells.forEach((dark, col) => {
      if (!dark) return;
      top = Math.min(top, row);
      bottom = Math.max(bottom, row);
      left = Math.min(left, col);
      right = Math.max(right, col);
    });
  });
  expect({ top, left, bottom, right }).toEqual({
    top: margin,
    left: margin,
    bottom: margin + modules - 1,
    right: margin + modules - 1,
  });
}
