/** `x` rounded to `places` decimals (for figures that are shown and stored, never for money arithmetic). */
export const roundTo = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;
