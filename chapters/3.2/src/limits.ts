/** Bounds shared by the chapter's sections. */

/** More workers than this only measures the scheduler (and can exhaust memory). */
export const MAX_WORKERS = 64;
