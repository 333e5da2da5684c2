import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Low } from 'lowdb';
import { closestMatches } from '../util/closest.js';
import { NotFoundError, UsageError } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { RUN_ID_EXAMPLE, RUN_ID_PATTERN, RunEventSchema, RunRecordSchema, type RunEvent, type RunRecord } from './record.js';
import { readJsonLines } from '../util/jsonl.js';

/**
 * Run records on disk: `<runs>/<id>.json` (one lowdb file per run, written atomically by
 * temp file + rename, so another process never reads a torn record), `<id>.events.jsonl`
 * (append-only log), `<id>.cancel` (a cancel request left by another process) and `<id>.live`
 * (present while the run has not ended, so a new process finds the runs a dead one left
 * unfinished without reading every record).
 */
let lastIdMs = 0;

export class RunStore {
  private readonly dbs = new Map<string, Low<RunRecord>>();
  /** Per run: event lines waiting for the append in flight to finish (see appendEvent). */
  private readonly eventQueues = new Map<string, { file: string; lines: string[]; tail: Promise<void> }>();
  constructor(readonly dir: string) {}

  /**
   * A new id that sorts after every id this process made before: the millisecond clock, bumped
   * by one when two ids would share a millisecond.
   */
  static newId(now = Date.now()): string {
    lastIdMs = Math.max(now, lastIdMs + 1);
    const iso = new Date(lastIdMs).toISOString(); // 2026-11-24T02:14:38.123Z
    const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}`;
    return `run-${stamp}-${randomBytes(2).toString('hex')}`;
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
  }

  recordPath(id: string): string {
    return path.join(this.dir, `${checkId(id)}.json`);
  }

  eventsPath(id: string): string {
    return path.join(this.dir, `${checkId(id)}.events.jsonl`);
  }

  cancelPath(id: string): string {
    return path.join(this.dir, `${checkId(id)}.cancel`);
  }

  /** Write a record this process owns (coalesced, atomic). */
  async write(record: RunRecord): Promise<void> {
    let db = this.dbs.get(record.id);
    if (!db) {
      // lowdb loads with the first run, not with the server.
      const [{ Low }, { JSONFile }] = await Promise.all([import('lowdb'), import('lowdb/node')]);
      db = this.dbs.get(record.id) ?? new Low<RunRecord>(new JSONFile<RunRecord>(this.recordPath(record.id)), record);
      this.dbs.set(record.id, db);
    }
    db.data = record;
    await db.write();
  }

  /** Stop caching the writer of a finished run. */
  release(id: string): void {
    this.dbs.delete(id);
  }

  async read(id: string): Promise<RunRecord | undefined> {
    let text: string;
    try {
      text = await fsp.readFile(this.recordPath(id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const parsed = RunRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  }

  async require(id: string): Promise<RunRecord> {
    if (!RUN_ID_PATTERN.test(id)) {
      throw new UsageError(`"${id}" is not a run id.`, `Run ids look like ${RUN_ID_EXAMPLE}; runs_list shows them.`);
    }
    const rec = await this.read(id);
    if (!rec) throw new NotFoundError('run', id, closestMatches(id, await this.ids(), 3), 'runs_list shows recent runs.');
    return rec;
  }

  /** All run ids, newest first (ids sort by creation time). */
  async ids(): Promise<string[]> {
    return (await this.names())
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .map((n) => n.slice(0, -5))
      .filter((id) => RUN_ID_PATTERN.test(id))
      .sort()
      .reverse();
  }

  /**
   * Append one event. Lines written while an append of the same run is on its way are joined
   * into the next single append: a profile logs several lines per probe, and one open-write-close
   * per line cost more than the probe's own work; it also keeps the lines in call order.
   */
  appendEvent(id: string, event: Omit<RunEvent, 'ts'>): Promise<void> {
    const line = JSON.stringify({ ts: new Date().toISOString(), ...event, ...(event.message ? { message: redact(event.message) } : {}) }) + '\n';
    let q = this.eventQueues.get(id);
    if (!q) {
      q = { file: this.eventsPath(id), lines: [], tail: Promise.resolve() };
      this.eventQueues.set(id, q);
    }
    const queue = q;
    queue.lines.push(line);
    // The first line after the last append was taken schedules the next one, behind it.
    if (queue.lines.length === 1) {
      const tail: Promise<void> = queue.tail
        .catch(() => undefined)
        .then(() => {
          const text = queue.lines.join('');
          queue.lines = [];
          return fsp.appendFile(queue.file, text);
        })
        .finally(() => {
          if (queue.tail === tail && queue.lines.length === 0) this.eventQueues.delete(id);
        });
      queue.tail = tail;
    }
    return queue.tail;
  }

  async readEvents(id: string): Promise<RunEvent[]> {
    const out: RunEvent[] = [];
    // A line cut short by a crash is skipped; the rest of the log is still useful.
    for (const raw of await readJsonLines(this.eventsPath(id))) {
      const parsed = RunEventSchema.safeParse(raw);
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }

  async requestCancel(id: string, reason: string): Promise<void> {
    await fsp.writeFile(this.cancelPath(id), reason || 'cancelled');
  }

  async cancelRequested(id: string): Promise<string | undefined> {
    try {
      return (await fsp.readFile(this.cancelPath(id), 'utf8')) || 'cancelled';
    } catch {
      return undefined;
    }
  }

  async clearCancel(id: string): Promise<void> {
    await fsp.rm(this.cancelPath(id), { force: true });
  }

  livePath(id: string): string {
    return path.join(this.dir, `${checkId(id)}.live`);
  }

  /** Mark a run as not ended yet (see the class comment). */
  async markLive(id: string): Promise<void> {
    await fsp.writeFile(this.livePath(id), '');
  }

  async clearLive(id: string): Promise<void> {
    await fsp.rm(this.livePath(id), { force: true });
  }

  /** Ids of the runs marked live, newest first. */
  async liveIds(): Promise<string[]> {
    return (await this.names())
      .filter((n) => n.endsWith('.live'))
      .map((n) => n.slice(0, -5))
      .filter((id) => RUN_ID_PATTERN.test(id))
      .sort()
      .reverse();
  }

  private async names(): Promise<string[]> {
    try {
      return await fsp.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

function checkId(id: string): string {
  if (!RUN_ID_PATTERN.test(id)) throw new UsageError(`"${id}" is not a run id.`);
  return id;
}
