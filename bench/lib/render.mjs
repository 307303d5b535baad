// The report as text: the tables of every pass and, in growth mode, the growth table.
// Used by bench.mjs at the end of a run and by print-report.mjs on a saved JSON report.
import { growthTable, table } from './report.mjs';

const GROUPS = [
  ['Baselines and reads', (r) => r.group === 'read' || r.name === 'bare'],
  ['Writes', (r) => r.group === 'write' || r.name === 'baseline-write'],
  ['Login and registration (argon2id, deliberately expensive)', (r) => r.group === 'auth'],
];

export function renderReport(report) {
  const { storage, settings, machine } = report;
  const lines = [''];
  lines.push(
    `${storage.write}, read models: ${storage.read}, projector: ${storage.projector}; ${settings.connections} connections ` +
      `(auth: ${settings.authConnections}), ${settings.durationS} s runs, median of ${settings.repeat}; ` +
      `${machine.cores} cores, load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd?.join(' ') ?? '?'} at end`,
  );
  lines.push(
    `SQL per request from: ${report.sqlAccounting.name}${report.sqlAccounting.reason ? ` (${report.sqlAccounting.reason})` : ''}; ` +
      'ratios: req/s ÷ baseline req/s ("vs base" below 1 = slower), p50 ÷ baseline p50',
  );
  if (report.sqlAccounting.logBytesRead)
    lines.push(
      `the measured windows wrote ${(report.sqlAccounting.logBytesRead / 2 ** 20).toFixed(0)} MiB to ${report.sqlAccounting.file} ` +
        '(all databases; --sql-source off for runs that need no statement counts)',
    );
  if (report.failure) lines.push(`FAILED: ${report.failure}`);
  for (const phase of report.phases) {
    const memory = phase.serverMemoryWhenReady;
    lines.push(
      `\n## ${phase.articlesCount ?? '?'} articles${phase.growth ? ` (grown from ${phase.growth.from} in ${phase.growth.seconds} s)` : ''}` +
        `${phase.vacuumSeconds !== null ? ', after VACUUM (ANALYZE)' : ', NOT vacuumed'}; server RSS when ready ${memory?.rssMiB?.toFixed(0) ?? '?'} MiB`,
    );
    if (phase.idle?.statementsPerSecond != null)
      lines.push(
        `idle server: ${phase.idle.statementsPerSecond.toFixed(1)} statements/s + ${phase.idle.txControlPerSecond.toFixed(1)} ` +
          'BEGIN/COMMIT/s (background catch-up; included below)',
      );
    for (const [heading, member] of GROUPS) {
      const done = phase.scenarios.filter((r) => r.summary && member(r));
      if (done.length === 0) continue;
      lines.push(`\n${heading}\n`, table(done));
    }
  }
  if (report.phases.length === 2 && report.phases[1].scenarios.length > 0) {
    lines.push(`\nGrowth: ${report.phases[0].articlesCount} → ${report.phases[1].articlesCount ?? '?'} articles\n`);
    lines.push(growthTable(report.phases[0], report.phases[1]));
  }
  return lines.join('\n');
}
