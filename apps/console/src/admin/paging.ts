/** Pages over a list the API gives whole (offset and size), and what the pager shows. */
export function pageOf<T>(items: readonly T[], offset: number, size: number): T[] {
  return items.slice(offset, offset + size);
}

export interface PageInfo {
  from: number;
  to: number;
  total: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

export function pageInfo(offset: number, size: number, total: number): PageInfo {
  return { from: total ? offset + 1 : 0, to: Math.min(offset + size, total), total, hasPrevious: offset > 0, hasNext: offset + size < total };
}

/** The offset of the page before or after (kept within the list). */
export const stepPage = (offset: number, size: number, total: number, dir: -1 | 1): number => (dir === 1 ? (offset + size < total ? offset + size : offset) : Math.max(0, offset - size));
