import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { pino } from 'pino';
import { ReadSideStartup } from '../application/read-side/read-side-startup.js';
import type { RebuildProgress, RebuildStep } from '../application/read-side/rebuild-options.js';
import { RebuildIncomplete, RebuildReadModelsHandler } from '../application/read-side/rebuild-read-models.js';
import { DatabaseInUseError } from '../adapters/sql/pglite-lock.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { compose } from '../container.js';

/**
 * Rebuilds every read model from the write model into a fresh generation and swaps it in,
 * while the API keeps serving the old one:
 *   npm run read-models:rebuild [-- --batch-size 500 --concurrency 4]
 * The configured read store is the one rebuilt: the SQL read store by default, MongoDB
 * when MONGO_URL is set — which is how a deployment moves from SQL to MongoDB (the replay
 * mark then stays set, so the first projector that starts against MongoDB replays what the
 * SQL projectors applied after the swap). --keep-replay-mark / --clear-replay-mark override
 * that choice. On the embedded database (PGlite) the API must be stopped first.
 */
const { values } = parseArgs({
  options: {
    'batch-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    'keep-replay-mark': { type: 'boolean', default: false },
    'clear-replay-mark': { type: 'boolean', default: false },
  },
});

const whole = (name: 'batch-size' | 'concurrency', max: number): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
};

const LABELS: Record<RebuildStep, string> = {
  settle: 'writes in flight',
  users: 'users',
  articles: 'articles',
  follows: 'follows',
  favorites: 'favourites',
  comments: 'comments',
  tombstones: 'earlier deletions',
  'catch-up': 'events during copy',
  drain: 'swapped, draining',
  'final-replay': 'events since copy',
  cleanup: 'old generations',
};
const LABEL_WIDTH = Math.max(...Object.values(LABELS).map((label) => label.length));

/** One bar per step; the waits show as bars with nothing to count, so their time still shows. */
function progressBars(): { progress: RebuildProgress; stop(): void } {
  const multi = new MultiBar(
    {
      format: '{label} [{bar}] {value}/{total} | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      // Not a terminal (CI, a pipe): still report, a block every few seconds.
      noTTYOutput: true,
      notTTYSchedule: 5_000,
    },
    Presets.shades_classic,
  );
  const bars = new Map<RebuildStep, { readonly bar: SingleBar; done: number; total: number }>();
  let stopped = false;
  return {
    progress: {
      started(step, total) {
        bars.set(step, { bar: multi.create(total, 0, { label: LABELS[step].padEnd(LABEL_WIDTH) }), done: 0, total });
      },
      advanced(step, count) {
        const state = bars.get(step);
        if (!state) return;
        state.done += count;
        // Totals are estimates taken at the start; writes go on meanwhile.
        if (state.done > state.total) state.bar.setTotal((state.total = state.done));
        state.bar.update(state.done);
      },
      finished(step) {
        const state = bars.get(step);
        if (!state) return;
        state.bar.setTotal((state.total = state.done));
        state.bar.update(state.done);
        // Freezes the bar's elapsed time at the end of its step.
        state.bar.stop();
      },
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      multi.stop();
    },
  };
}

async function main(): Promise<void> {
  if (values['keep-replay-mark'] && values['clear-replay-mark'])
    throw new ConfigError('--keep-replay-mark and --clear-replay-mark exclude each other');
  const options = { batchSize: whole('batch-size', 10_000), concurrency: whole('concurrency', 16) };
  const config = loadConfig();
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const infra = await compose(config, 'worker', { logger });
  const { container } = infra;
  const abort = new AbortController();
  const interrupted = () => {
    console.error('\nInterrupted: before the swap the rebuild stops and removes its generation; after it, it finishes.');
    abort.abort();
  };
  process.once('SIGINT', interrupted);
  const bars = progressBars();
  try {
    const handler = container.get(RebuildReadModelsHandler);
    const startup = container.get(ReadSideStartup);
    console.log(`Rebuilding the ${startup.kind} read store (serving ${infra.bindings.ReadModelGeneration} meanwhile).`);
    const keepReplayMark = values['keep-replay-mark'] ? true : values['clear-replay-mark'] ? false : undefined;
    const report = await handler.execute({ ...options, keepReplayMark, progress: bars.progress, signal: abort.signal });
    bars.stop();
    const copied = Object.entries(report.copied)
      .map(([what, n]) => `${n} ${what}`)
      .join(', ');
    console.log(
      `Now serving ${report.generation}: copied ${copied}; replayed ${report.replayed} events ` +
        `(outbox ${report.copiedFrom} → ${report.activatedAt} at the swap).`,
    );
    console.log(
      `Kept ${report.previous ?? 'nothing'} for a rollback; dropped ${report.dropped.join(', ') || 'nothing'}.` +
        (report.replayMarkKept
          ? ` Replay mark left at ${report.activatedAt}: the first projector to start against this store replays from there.`
          : ''),
    );
  } finally {
    bars.stop();
    process.removeListener('SIGINT', interrupted);
    await infra.close();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DatabaseInUseError || error instanceof RebuildIncomplete;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
