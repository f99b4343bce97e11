export const PAGE_SIZE = 50;

export interface Page {
  /** 1-based */
  number: number;
  size: number;
  offset: number;
  total: number;
  pages: number;
}

/**
 * The page to show from the `page` query parameter: anything that is not a positive whole number
 * is page 1, and a number past the end is the last page (a shrunk table must not show "no rows").
 */
export function pageOf(requested: string | null, total: number, size = PAGE_SIZE): Page {
  const pages = Math.max(1, Math.ceil(total / size));
  const n = requested !== null && /^\d+$/.test(requested) ? Number(requested) : 1;
  const number = Math.min(Math.max(1, n), pages);
  return { number, size, offset: (number - 1) * size, total, pages };
}
