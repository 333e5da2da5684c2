import { cp, generatorByLevel, numbersIn, textProbe, type ProbeRng, type TextTask } from '../toolkit.js';
import type { ProbeCheckpoint } from '../types.js';
import { labelled, numberCheck } from '../gen/answer.js';

/**
 * reason.spatial — distances, directions, areas, transformations, spheres and 3D (text
 * pattern: the answer is the agent's final text, in labelled lines).
 *  L1  two grid points: straight-line distance + 8-point compass direction; or a walk with
 *      turns: final position + facing. Near-miss: reversed direction / Manhattan distance / a
 *      left turn taken as right.
 *  L2  polygon area (shoelace) + perimeter; a point through 3–4 plane transformations; a
 *      triangle's area and an altitude. Near-miss: missing closing term / rotation the wrong way /
 *      altitude without the factor 2.
 *  L3  great-circle distance + initial bearing between generated coordinates (sphere R = 6371 km);
 *      tetrahedron volume + a face area; point-to-plane distance + tilt angle; a point through a
 *      sequence of 3D rotations. Near-miss: flat-earth / parallelepiped factor / distance to the
 *      centroid / rotations in the wrong order.
 */

const ID = 'reason.spatial';

// ---------------------------------------------------------------------------------------------
// Answer parsing

const nums = (s: string | undefined): number[] => (s === undefined ? [] : numbersIn(s.replace(/[\u2212\u2013]/g, '-')));

function numberCp(name: string, frag: string | undefined, want: number, tol: number, shown: string): ProbeCheckpoint {
  return numberCheck(name, nums(frag)[0], want, tol, shown);
}

function pointCp(name: string, frag: string | undefined, want: number[], tol = 1e-6): ProbeCheckpoint {
  const got = nums(frag).slice(0, want.length);
  const shown = `(${want.map((v) => fmtNum(v)).join(', ')})`;
  if (got.length < want.length) return cp(name, false, `expected ${shown}, got "${frag ?? ''}"`);
  return cp(name, got.every((g, i) => Math.abs(g - want[i]!) <= tol), `expected ${shown}, got (${got.join(', ')})`);
}

const COMPASS8 = ['E', 'NE', 'N', 'NW', 'W', 'SW', 'S', 'SE'] as const;
const WORDS: Record<string, string> = {
  NORTH: 'N', SOUTH: 'S', EAST: 'E', WEST: 'W', NORTHEAST: 'NE', NORTHWEST: 'NW', SOUTHEAST: 'SE', SOUTHWEST: 'SW',
};

function compassOf(frag: string | undefined): string | undefined {
  if (frag === undefined) return undefined;
  const t = frag.toUpperCase().replace(/[\s-]+/g, '');
  const word = Object.keys(WORDS)
    .sort((a, b) => b.length - a.length)
    .find((w) => t.startsWith(w));
  if (word) return WORDS[word];
  const m = /^(NE|NW|SE|SW|N|E|S|W)\b/.exec(frag.toUpperCase().trim());
  return m ? m[1] : undefined;
}

function fmtNum(x: number, digits = 2): string {
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(digits);
}

const fmtPt = (p: number[]): string => `(${p.map((v) => fmtNum(Math.abs(v) < 1e-9 ? 0 : v)).join(', ')})`;

// ---------------------------------------------------------------------------------------------
// L1

const GRID = 'Map grid in km, x to the east, y to the north.';

/** The closing instruction: the reply's labelled last lines. */
const endLines = (...forms: string[]): string => `End with exactly ${forms.length === 1 ? 'the line' : 'these lines'}:\n${forms.map((f) => `\`${f}\``).join('\n')}`;

function compass8(dx: number, dy: number): { dir: string; margin: number } {
  const deg = ((Math.atan2(dy, dx) * 180) / Math.PI + 360) % 360;
  const idx = Math.round(deg / 45) % 8;
  const margin = 22.5 - Math.abs(deg - Math.round(deg / 45) * 45);
  return { dir: COMPASS8[idx]!, margin };
}

function l1Points(rng: ProbeRng): TextTask {
  for (;;) {
    const a = [rng.int(-20, 20), rng.int(-20, 20)];
    const b = [rng.int(-20, 20), rng.int(-20, 20)];
    const dx = b[0]! - a[0]!;
    const dy = b[1]! - a[1]!;
    const dist = Math.hypot(dx, dy);
    if (dist < 5) continue;
    const { dir, margin } = compass8(dx, dy);
    if (margin < 7) continue;
    const back = compass8(-dx, -dy).dir;
    const manhattan = Math.abs(dx) + Math.abs(dy);
    const [pa, pb] = rng.sample(['the well', 'the mill', 'the tower', 'the bridge', 'the camp', 'the harbour', 'the gate', 'the chapel'], 2);
    const useManhattan = manhattan - dist > 0.05 && rng.next() < 0.5;
    return {
      prompt:
        `${GRID} ${pa![0]!.toUpperCase()}${pa!.slice(1)} is at (${a[0]}, ${a[1]}) and ${pb} at (${b[0]}, ${b[1]}).\n` +
        `1. What is the straight-line distance from ${pa} to ${pb}, in km to 2 decimal places?\n` +
        `2. Which of the 8 compass directions (N, NE, E, SE, S, SW, W, NW) is closest to the way from ${pa} to ${pb}?\n` +
        endLines('Distance: <km>', 'Direction: <compass direction>'),
      check: (t) => {
        const got = compassOf(labelled(t, /direction/));
        return [
          numberCp('distance_correct', labelled(t, /distance/), dist, 0.006, dist.toFixed(2)),
          cp('direction_correct', got === dir, `expected ${dir}, got ${got ?? 'nothing'}`),
        ];
      },
      referenceText: `dx = ${dx}, dy = ${dy}; distance = √(${dx}² + ${dy}²) = ${dist.toFixed(2)}.\n\nDistance: ${dist.toFixed(2)}\nDirection: ${dir}`,
      nearMissText: useManhattan
        ? `Distance along the grid: |${dx}| + |${dy}| = ${manhattan}.\n\nDistance: ${manhattan.toFixed(2)}\nDirection: ${dir}`
        : `Distance = ${dist.toFixed(2)}; heading ${back}.\n\nDistance: ${dist.toFixed(2)}\nDirection: ${back}`,
    };
  }
}

const HEADINGS = ['N', 'E', 'S', 'W'] as const;
const STEP: Record<string, [number, number]> = { N: [0, 1], E: [1, 0], S: [0, -1], W: [-1, 0] };
const HEADING_NAME: Record<string, string> = { N: 'north', E: 'east', S: 'south', W: 'west' };

type Move = { t: 'walk'; k: number } | { t: 'left' } | { t: 'right' } | { t: 'around' };

function walk(start: [number, number], facing: number, moves: Move[], mirrorFirstLeft: boolean): { pos: [number, number]; facing: number } {
  let [x, y] = start;
  let f = facing;
  let mirrored = false;
  for (const m of moves) {
    if (m.t === 'walk') {
      const [sx, sy] = STEP[HEADINGS[f]!]!;
      x += sx * m.k;
      y += sy * m.k;
    } else if (m.t === 'left') {
      if (mirrorFirstLeft && !mirrored) {
        mirrored = true;
        f = (f + 1) % 4;
      } else f = (f + 3) % 4;
    } else if (m.t === 'right') f = (f + 1) % 4;
    else f = (f + 2) % 4;
  }
  return { pos: [x, y], facing: f };
}

function l1Walk(rng: ProbeRng): TextTask {
  for (;;) {
    const start: [number, number] = [rng.int(-9, 9), rng.int(-9, 9)];
    const facing = rng.int(0, 3);
    const moves: Move[] = [];
    const n = rng.int(6, 8);
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) moves.push({ t: 'walk', k: rng.int(1, 9) });
      else moves.push(rng.pick([{ t: 'left' }, { t: 'left' }, { t: 'right' }, { t: 'around' }] as Move[]));
    }
    if (!moves.some((m) => m.t === 'left')) continue;
    const right = walk(start, facing, moves, false);
    const wrong = walk(start, facing, moves, true);
    if (right.pos[0] === wrong.pos[0] && right.pos[1] === wrong.pos[1] && right.facing === wrong.facing) continue;
    const who = rng.pick(['A robot', 'A hiker', 'A delivery drone flying low', 'A rover']);
    const say = (m: Move): string =>
      m.t === 'walk' ? `move forward ${m.k} km` : m.t === 'left' ? 'turn 90° left' : m.t === 'right' ? 'turn 90° right' : 'turn around (180°)';
    return {
      prompt:
        `${GRID} ${who} starts at (${start[0]}, ${start[1]}) facing ${HEADING_NAME[HEADINGS[facing]!]}, then in order: ${moves.map(say).join('; ')}.\n` +
        `Where does it end up, facing which way? ${endLines('Position: (<x>, <y>)', 'Facing: <north|east|south|west>')}`,
      check: (t) => {
        const got = compassOf(labelled(t, /facing/));
        const want = HEADINGS[right.facing]!;
        return [pointCp('position_correct', labelled(t, /position/), right.pos), cp('facing_correct', got === want, `expected ${HEADING_NAME[want]}, got ${got ?? 'nothing'}`)];
      },
      referenceText: `Tracking the heading after each turn and adding each move.\n\nPosition: ${fmtPt(right.pos)}\nFacing: ${HEADING_NAME[HEADINGS[right.facing]!]}`,
      nearMissText: `Tracking each move in turn.\n\nPosition: ${fmtPt(wrong.pos)}\nFacing: ${HEADING_NAME[HEADINGS[wrong.facing]!]}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// L2

type P2 = [number, number];

function segmentsCross(a: P2, b: P2, c: P2, d: P2): boolean {
  const o = (p: P2, q: P2, r: P2): number => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

function l2Polygon(rng: ProbeRng): TextTask {
  for (;;) {
    const n = rng.int(5, 7);
    const cx = rng.int(-5, 5);
    const cy = rng.int(-5, 5);
    const angles = Array.from({ length: n }, () => rng.next() * 2 * Math.PI).sort((a, b) => a - b);
    const pts: P2[] = angles.map((t) => {
      const r = rng.int(3, 11);
      return [cx + Math.round(r * Math.cos(t)), cy + Math.round(r * Math.sin(t))];
    });
    if (rng.next() < 0.5) pts.reverse();
    if (new Set(pts.map((p) => p.join(','))).size !== n) continue;
    // Simple polygon: no two non-adjacent edges cross, no collinear consecutive triples.
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const a = pts[i]!;
      const b = pts[(i + 1) % n]!;
      const c = pts[(i + 2) % n]!;
      if ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) === 0) ok = false;
      for (let j = i + 2; j < n && ok; j++) {
        if (i === 0 && j === n - 1) continue;
        if (segmentsCross(a, b, pts[j]!, pts[(j + 1) % n]!)) ok = false;
      }
    }
    if (!ok) continue;
    let s = 0;
    for (let i = 0; i < n; i++) s += pts[i]![0] * pts[(i + 1) % n]![1] - pts[(i + 1) % n]![0] * pts[i]![1];
    const area = Math.abs(s) / 2;
    if (area < 20) continue;
    const closing = pts[n - 1]![0] * pts[0]![1] - pts[0]![0] * pts[n - 1]![1];
    const wrongArea = Math.abs(s - closing) / 2;
    if (Math.abs(wrongArea - area) < 0.5) continue;
    let per = 0;
    for (let i = 0; i < n; i++) per += Math.hypot(pts[(i + 1) % n]![0] - pts[i]![0], pts[(i + 1) % n]![1] - pts[i]![1]);
    const field = rng.pick(['A fenced field', 'A garden plot', 'A parking area', 'A pond outline']);
    return {
      prompt:
        `${field} is the polygon ${pts.map((p, i) => `${String.fromCharCode(65 + i)} = (${p[0]}, ${p[1]})`).join(', ')}, corners in order around its edge, the last joined back to A (metres).\n` +
        `1. What is its area in m² (2 decimal places if not whole)?\n2. What is its perimeter in m, to 2 decimal places?\n` +
        endLines('Area: <number>', 'Perimeter: <number>'),
      check: (t) => [numberCp('area_correct', labelled(t, /area/), area, 0.006, fmtNum(area)), numberCp('perimeter_correct', labelled(t, /perimeter/), per, 0.006, per.toFixed(2))],
      referenceText: `Shoelace sum over all ${n} edges = ${s}; area = |${s}| / 2.\n\nArea: ${fmtNum(area)}\nPerimeter: ${per.toFixed(2)}`,
      nearMissText: `Shoelace terms for consecutive corners: area = ${fmtNum(wrongArea)}.\n\nArea: ${fmtNum(wrongArea)}\nPerimeter: ${per.toFixed(2)}`,
    };
  }
}

type Xform =
  | { t: 'rot'; deg: 90 | 180 | 270; c: P2 }
  | { t: 'reflX'; k: number } // across the vertical line x = k
  | { t: 'reflY'; k: number } // across the horizontal line y = k
  | { t: 'reflDiag' } // across y = x
  | { t: 'shift'; d: P2 }
  | { t: 'scale'; f: number; c: P2 };

function applyX(x: Xform, p: P2, flipRot = false): P2 {
  switch (x.t) {
    case 'rot': {
      const deg = flipRot && x.deg !== 180 ? 360 - x.deg : x.deg;
      const dx = p[0] - x.c[0];
      const dy = p[1] - x.c[1];
      if (deg === 90) return [x.c[0] - dy, x.c[1] + dx];
      if (deg === 180) return [x.c[0] - dx, x.c[1] - dy];
      return [x.c[0] + dy, x.c[1] - dx];
    }
    case 'reflX':
      return [2 * x.k - p[0], p[1]];
    case 'reflY':
      return [p[0], 2 * x.k - p[1]];
    case 'reflDiag':
      return [p[1], p[0]];
    case 'shift':
      return [p[0] + x.d[0], p[1] + x.d[1]];
    case 'scale':
      return [x.c[0] + x.f * (p[0] - x.c[0]), x.c[1] + x.f * (p[1] - x.c[1])];
  }
}

function sayX(x: Xform): string {
  switch (x.t) {
    case 'rot':
      return x.deg === 180 ? `rotate 180° about (${x.c[0]}, ${x.c[1]})` : `rotate 90° ${x.deg === 90 ? 'counterclockwise' : 'clockwise'} about (${x.c[0]}, ${x.c[1]})`;
    case 'reflX':
      return `reflect across the line x = ${x.k}`;
    case 'reflY':
      return `reflect across the line y = ${x.k}`;
    case 'reflDiag':
      return 'reflect across the line y = x';
    case 'shift':
      return `translate by (${x.d[0]}, ${x.d[1]})`;
    case 'scale':
      return `scale by a factor of ${x.f} about (${x.c[0]}, ${x.c[1]})`;
  }
}

function l2Transform(rng: ProbeRng): TextTask {
  for (;;) {
    const p: P2 = [rng.int(-9, 9), rng.int(-9, 9)];
    const k = rng.int(3, 4);
    const xs: Xform[] = [{ t: 'rot', deg: rng.pick([90, 270] as const), c: [rng.int(-4, 4), rng.int(-4, 4)] }];
    while (xs.length < k) {
      const kind = rng.pick(['rot', 'reflX', 'reflY', 'reflDiag', 'shift', 'scale'] as const);
      if (kind === 'rot') xs.push({ t: 'rot', deg: rng.pick([90, 180, 270] as const), c: [rng.int(-4, 4), rng.int(-4, 4)] });
      else if (kind === 'reflX') xs.push({ t: 'reflX', k: rng.int(-5, 5) });
      else if (kind === 'reflY') xs.push({ t: 'reflY', k: rng.int(-5, 5) });
      else if (kind === 'reflDiag') xs.push({ t: 'reflDiag' });
      else if (kind === 'shift') xs.push({ t: 'shift', d: [rng.int(-7, 7), rng.int(-7, 7)] });
      else xs.push({ t: 'scale', f: rng.pick([2, 3]), c: [rng.int(-3, 3), rng.int(-3, 3)] });
    }
    const order = rng.shuffle(xs);
    const right = order.reduce<P2>((q, x) => applyX(x, q), p);
    const wrong = order.reduce<P2>((q, x) => applyX(x, q, true), p);
    if ((right[0] === wrong[0] && right[1] === wrong[1]) || (right[0] === p[0] && right[1] === p[1])) continue;
    return {
      prompt:
        `In the plane (x to the right, y up), apply to P = (${p[0]}, ${p[1]}) in order: ${order.map(sayX).join('; ')}.\n` +
        `Where does P end up? ${endLines('Image: (<x>, <y>)')}`,
      check: (t) => [pointCp('image_correct', labelled(t, /image/), right)],
      referenceText: `Applying the steps in order: ${order.reduce<P2[]>((acc, x) => [...acc, applyX(x, acc[acc.length - 1]!)], [p]).map(fmtPt).join(' → ')}.\n\nImage: ${fmtPt(right)}`,
      nearMissText: `Applying the steps in order gives ${fmtPt(wrong)}.\n\nImage: ${fmtPt(wrong)}`,
    };
  }
}

function l2Triangle(rng: ProbeRng): TextTask {
  for (;;) {
    const pts: P2[] = Array.from({ length: 3 }, () => [rng.int(-12, 12), rng.int(-12, 12)] as P2);
    const [a, b, c] = pts as [P2, P2, P2];
    const cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    const area = Math.abs(cross) / 2;
    if (area < 15) continue;
    const ab = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const h = (2 * area) / ab;
    const wrongH = area / ab;
    if (Math.abs(h - wrongH) < 0.1) continue;
    return {
      prompt:
        `A triangle has vertices A = (${a[0]}, ${a[1]}), B = (${b[0]}, ${b[1]}) and C = (${c[0]}, ${c[1]}).\n` +
        `1. What is its area (2 decimal places if not whole)?\n2. What is the altitude from C to the line AB, to 2 decimal places?\n` +
        endLines('Area: <number>', 'Altitude: <number>'),
      check: (t) => [numberCp('area_correct', labelled(t, /area/), area, 0.006, fmtNum(area)), numberCp('altitude_correct', labelled(t, /altitude/), h, 0.006, h.toFixed(2))],
      referenceText: `Area = |cross| / 2 = ${fmtNum(area)}; |AB| = ${ab.toFixed(4)}; altitude = 2·area / |AB|.\n\nArea: ${fmtNum(area)}\nAltitude: ${h.toFixed(2)}`,
      nearMissText: `Area = ${fmtNum(area)}; altitude = area / |AB|.\n\nArea: ${fmtNum(area)}\nAltitude: ${wrongH.toFixed(2)}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// L3

const R_EARTH = 6371;
const rad = (d: number): number => (d * Math.PI) / 180;
const deg = (r: number): number => (r * 180) / Math.PI;

function latLon(lat: number, lon: number): string {
  return `${Math.abs(lat).toFixed(4)}° ${lat >= 0 ? 'N' : 'S'}, ${Math.abs(lon).toFixed(4)}° ${lon >= 0 ? 'E' : 'W'}`;
}

function angleDiff(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}

function l3Sphere(rng: ProbeRng): TextTask {
  for (;;) {
    const lat1 = rng.float(-55, 70, 4);
    const lon1 = rng.float(-179, 179, 4);
    const lat2 = rng.float(-55, 70, 4);
    const lon2 = rng.float(-179, 179, 4);
    const p1 = rad(lat1);
    const p2 = rad(lat2);
    const dl = rad(lon2 - lon1);
    const h = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
    const dist = 2 * R_EARTH * Math.asin(Math.sqrt(h));
    if (dist < 800 || dist > 16000) continue;
    const bearing = (deg(Math.atan2(Math.sin(dl) * Math.cos(p2), Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl))) + 360) % 360;
    // Flat-map slip: degrees as a plane grid, no cos(latitude), planar heading.
    let dLon = lon2 - lon1;
    if (dLon > 180) dLon -= 360;
    if (dLon < -180) dLon += 360;
    const flat = ((Math.PI * R_EARTH) / 180) * Math.hypot(lat2 - lat1, dLon);
    const flatBearing = (deg(Math.atan2(dLon, lat2 - lat1)) + 360) % 360;
    if (Math.abs(flat - dist) < 30) continue;
    const [na, nb] = rng.sample(['station A', 'the observatory', 'the research base', 'the port', 'the relay tower', 'the airfield'], 2);
    return {
      prompt:
        `On a spherical Earth of radius ${R_EARTH} km, ${na} is at ${latLon(lat1, lon1)} and ${nb} at ${latLon(lat2, lon2)}.\n` +
        `1. What is the great-circle distance between them, to the nearest km?\n` +
        `2. What is the initial bearing of that route from ${na} to ${nb}, in degrees clockwise from true north (0–360), to the nearest degree?\n` +
        endLines('Distance: <km>', 'Bearing: <degrees>'),
      check: (t) => {
        const b = nums(labelled(t, /(?:initial )?bearing/))[0];
        return [
          numberCp('distance_correct', labelled(t, /distance/), dist, 1, `${Math.round(dist)} km`),
          b === undefined ? cp('bearing_correct', false, `no bearing (expected ${Math.round(bearing)}°)`) : cp('bearing_correct', angleDiff(b, bearing) <= 1, `expected ${Math.round(bearing)}°, got ${b}`),
        ];
      },
      referenceText: `Haversine: a = ${h.toFixed(6)}, distance = 2R·asin(√a) = ${dist.toFixed(1)} km. Initial bearing θ = atan2(sin Δλ cos φ2, cos φ1 sin φ2 − sin φ1 cos φ2 cos Δλ) = ${bearing.toFixed(1)}°.\n\nDistance: ${Math.round(dist)}\nBearing: ${Math.round(bearing) % 360}`,
      nearMissText: `Δlat = ${(lat2 - lat1).toFixed(4)}°, Δlon = ${dLon.toFixed(4)}°, at 111.19 km per degree: ${flat.toFixed(0)} km; heading ${flatBearing.toFixed(0)}°.\n\nDistance: ${Math.round(flat)}\nBearing: ${Math.round(flatBearing) % 360}`,
    };
  }
}

type V3 = [number, number, number];
const sub3 = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross3 = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot3 = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm3 = (a: V3): number => Math.hypot(a[0], a[1], a[2]);
const p3 = (rng: ProbeRng, lo: number, hi: number): V3 => [rng.int(lo, hi), rng.int(lo, hi), rng.int(lo, hi)];
const show3 = (p: V3): string => `(${p.join(', ')})`;

function l3Tetra(rng: ProbeRng): TextTask {
  for (;;) {
    const [a, b, c, d] = [p3(rng, -6, 9), p3(rng, -6, 9), p3(rng, -6, 9), p3(rng, -6, 9)];
    const det = dot3(sub3(b, a), cross3(sub3(c, a), sub3(d, a)));
    const vol = Math.abs(det) / 6;
    if (vol < 8) continue;
    const face = norm3(cross3(sub3(b, a), sub3(c, a))) / 2;
    if (face < 5) continue;
    const wrongVol = Math.abs(det) / 2;
    return {
      prompt:
        `A tetrahedron has vertices A = ${show3(a)}, B = ${show3(b)}, C = ${show3(c)} and D = ${show3(d)} (cm).\n` +
        `1. What is its volume in cm³, to 2 decimal places?\n2. What is the area of face ABC in cm², to 2 decimal places?\n` +
        endLines('Volume: <number>', 'Area: <number>'),
      check: (t) => [numberCp('volume_correct', labelled(t, /volume/), vol, 0.006, vol.toFixed(2)), numberCp('area_correct', labelled(t, /area/), face, 0.006, face.toFixed(2))],
      referenceText: `Scalar triple product (B−A)·((C−A)×(D−A)) = ${det}; volume = |${det}| / 6. Face ABC = |(B−A)×(C−A)| / 2.\n\nVolume: ${vol.toFixed(2)}\nArea: ${face.toFixed(2)}`,
      nearMissText: `Triple product ${det}; volume = |${det}| / 2.\n\nVolume: ${wrongVol.toFixed(2)}\nArea: ${face.toFixed(2)}`,
    };
  }
}

function l3Plane(rng: ProbeRng): TextTask {
  for (;;) {
    const [a, b, c, q] = [p3(rng, -5, 8), p3(rng, -5, 8), p3(rng, -5, 8), p3(rng, -9, 12)];
    const n = cross3(sub3(b, a), sub3(c, a));
    const nn = norm3(n);
    if (nn < 4 || n[2] === 0) continue;
    const dist = Math.abs(dot3(n, sub3(q, a))) / nn;
    if (dist < 1.5) continue;
    const tilt = deg(Math.acos(Math.abs(n[2]) / nn));
    const g: V3 = [(a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3, (a[2] + b[2] + c[2]) / 3];
    const toCentroid = norm3(sub3(q, g));
    if (Math.abs(toCentroid - dist) < 0.2) continue;
    return {
      prompt:
        `A flat solar panel lies in the plane through A = ${show3(a)}, B = ${show3(b)} and C = ${show3(c)} (metres, z up). A sensor is at Q = ${show3(q)}.\n` +
        `1. What is the perpendicular distance from Q to the plane, in m to 2 decimal places?\n` +
        `2. What angle does the plane make with the horizontal xy-plane, in degrees to 1 decimal place (0 to 90)?\n` +
        endLines('Distance: <number>', 'Tilt: <degrees>'),
      check: (t) => [numberCp('distance_correct', labelled(t, /distance/), dist, 0.006, dist.toFixed(2)), numberCp('tilt_correct', labelled(t, /tilt|angle/), tilt, 0.06, tilt.toFixed(1))],
      referenceText: `Normal n = (B−A)×(C−A) = ${show3(n)}; distance = |n·(Q−A)| / |n| = ${dist.toFixed(4)}; tilt = acos(|n_z| / |n|) = ${tilt.toFixed(2)}°.\n\nDistance: ${dist.toFixed(2)}\nTilt: ${tilt.toFixed(1)}`,
      nearMissText: `Distance from Q to the middle of the panel (centroid ${fmtPt(g)}) = ${toCentroid.toFixed(2)}; tilt from the normal = ${tilt.toFixed(1)}°.\n\nDistance: ${toCentroid.toFixed(2)}\nTilt: ${tilt.toFixed(1)}`,
    };
  }
}

type Axis = 'x' | 'y' | 'z';

/** Right-hand rule: a positive angle is counterclockwise when looking from the positive axis towards the origin. */
function rot3(p: V3, axis: Axis, quarter: number): V3 {
  let [x, y, z] = p;
  for (let i = 0; i < ((quarter % 4) + 4) % 4; i++) {
    if (axis === 'z') [x, y] = [-y, x];
    else if (axis === 'x') [y, z] = [-z, y];
    else [z, x] = [-x, z];
  }
  return [x, y, z];
}

function l3Rotations(rng: ProbeRng): TextTask {
  for (;;) {
    const p = p3(rng, -7, 7);
    if (p.filter((v) => v !== 0).length < 3) continue;
    const k = rng.int(3, 4);
    const steps: Array<{ axis: Axis; q: number }> = [];
    while (steps.length < k) {
      const axis = rng.pick(['x', 'y', 'z'] as const);
      if (steps.length && steps[steps.length - 1]!.axis === axis) continue;
      steps.push({ axis, q: rng.pick([1, 2, 3]) });
    }
    const right = steps.reduce<V3>((v, s) => rot3(v, s.axis, s.q), p);
    const wrong = [...steps].reverse().reduce<V3>((v, s) => rot3(v, s.axis, s.q), p);
    if (right.every((v, i) => v === wrong[i]) || right.every((v, i) => v === p[i])) continue;
    const say = (s: { axis: Axis; q: number }): string => (s.q === 2 ? `180° about the ${s.axis}-axis` : `90° ${s.q === 1 ? 'counterclockwise' : 'clockwise'} about the ${s.axis}-axis`);
    return {
      prompt:
        `Right-handed 3D axes. Counterclockwise about an axis means as seen from its positive end looking towards the origin. Rotate P = ${show3(p)} about axes through the origin, in order: ${steps.map(say).join('; ')}.\n` +
        `Where does P end up? ${endLines('Result: (<x>, <y>, <z>)')}`,
      check: (t) => [pointCp('result_correct', labelled(t, /result/), right)],
      referenceText: `Step by step: ${steps.reduce<V3[]>((acc, s) => [...acc, rot3(acc[acc.length - 1]!, s.axis, s.q)], [p]).map(show3).join(' → ')}.\n\nResult: ${show3(right)}`,
      nearMissText: `Composing the rotation matrices R${steps.length}…R1 and applying them: ${show3(wrong)}.\n\nResult: ${show3(wrong)}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------

export const generator = generatorByLevel(ID, {
  L1: '2D grid: distance (2 dp) + 8-point compass direction between two points, or final position + facing after a walk with turns.',
  L2: 'Plane geometry: polygon area + perimeter (shoelace), a point through 3–4 transformations, or triangle area + altitude.',
  L3: 'Sphere and 3D: great-circle distance + initial bearing from generated coordinates, tetrahedron volume + face area, point-to-plane distance + tilt, or chained 3D rotations.',
}, {
  L1: (rng, seed, level) => textProbe(ID, level, seed, rng.pick([l1Points, l1Walk])(rng)),
  L2: (rng, seed, level) => textProbe(ID, level, seed, rng.pick([l2Polygon, l2Transform, l2Triangle])(rng)),
  L3: (rng, seed, level) => textProbe(ID, level, seed, rng.pick([l3Sphere, l3Tetra, l3Plane, l3Rotations])(rng)),
});
