/**
 * Timestamps for generated log lines. A long log has thousands of lines, and `Date#toISOString`
 * per line was most of generating one (~10 ms of 14 for tool.file.read L3), work done on the
 * event loop that every running probe waits behind.
 */

const DAY_MS = 86_400_000;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * A formatter of whole-second times (ms since the epoch, ≥ 0) as `YYYY-MM-DDTHH:MM:SSZ` —
 * `new Date(t).toISOString()` without the `.000` — that builds the date part once per day.
 */
export function secondsIsoFormatter(): (t: number) => string {
  let dayStart = -1;
  let datePart = '';
  return (t) => {
    if (t < dayStart || t >= dayStart + DAY_MS || dayStart < 0) {
      dayStart = t - (t % DAY_MS);
      datePart = new Date(dayStart).toISOString().slice(0, 11);
    }
    const s = Math.floor((t - dayStart) / 1000);
    return `${datePart}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}Z`;
  };
}
