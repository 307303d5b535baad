import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules of design.md §2 live in .dependency-cruiser.cjs. Here they are checked
 * twice: the real `src/` must be clean, and every rule must fire on a fixture written to
 * break it (and only it) — a rule that has never been seen to fail proves nothing.
 *
 * The CLI is run exactly as `npm run arch` runs it (same binary, same config file, cwd
 * at the root of the tree being checked), so what passes here passes in CI.
 */

const repoRoot = join(import.meta.dirname, '..', '..');
const configFile = join(repoRoot, '.dependency-cruiser.cjs');
const fixturesDir = join(import.meta.dirname, 'fixtures');
const depcruiseBin = join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string; readonly severity: string };
}
interface CruiseResult {
  readonly modules: ReadonlyArray<{ readonly source: string }>;
  readonly summary: { readonly violations: readonly Violation[]; readonly totalCruised: number };
}

const run = promisify(execFile);
// Each run starts a Node process that loads the TypeScript compiler: seconds, not millis,
// and several run at once beside other test files.
const CRUISE_TIMEOUT_MS = 90_000;

async function cruise(root: string): Promise<CruiseResult> {
  const args = [depcruiseBin, 'src', '--config', configFile, '--output-type', 'json'];
  // depcruise exits non-zero when it finds errors, which is the expected outcome for a
  // fixture; the JSON report is on stdout either way.
  const { stdout, stderr } = await run(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
  try {
    return JSON.parse(stdout) as CruiseResult;
  } catch {
    throw new Error(`dependency-cruiser produced no report in ${root}:\n${stderr}`);
  }
}

const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} -> ${v.to}`;

/**
 * What each fixture must produce: the rule's name and, for every violation, a pattern for
 * `from -> to`. The list is exhaustive, so a fixture that also trips another rule, or that
 * stops tripping one of its cases, fails.
 */
const expectations: Record<string, readonly RegExp[]> = {
  'domain-only-domain': [
    /^src\/domain\/imports-adapter\.ts -> src\/adapters\/security\/argon2\.ts$/,
    /^src\/domain\/imports-application\.ts -> src\/application\/handler\.ts$/,
    /^src\/domain\/imports-framework\.ts -> .*node_modules\/inversify\//,
    /^src\/domain\/imports-node-builtin\.ts -> (node:)?crypto$/,
  ],
  'application-only-domain-and-di': [
    /^src\/application\/imports-adapter\.ts -> src\/adapters\/memory\//,
    /^src\/application\/imports-config\.ts -> src\/config\/config\.ts$/,
    /^src\/application\/imports-container\.ts -> src\/container\.ts$/,
    /^src\/application\/imports-node-builtin\.ts -> (node:)?crypto$/,
    /^src\/application\/imports-package\.ts -> .*node_modules\/@mikro-orm\/core\//,
  ],
  'adapters-not-to-composition-root': [
    /^src\/adapters\/http\/imports-container-type\.ts -> src\/container\.ts$/,
    /^src\/adapters\/http\/imports-container\.ts -> src\/container\.ts$/,
    /^src\/adapters\/observability\/imports-main\.ts -> src\/main\.ts$/,
    /^src\/adapters\/sql\/imports-composition\.ts -> src\/composition\/storage\.ts$/,
  ],
  'adapters-in-technology-folders': [/^src\/adapters\/open-bus\.ts -> src\/adapters\/nats\/nats-bus\.ts$/],
  'adapters-only-config-types': [/^src\/adapters\/sql\/reads-config\.ts -> src\/config\/config\.ts$/],
  'adapters-not-across-technologies': [
    /^src\/adapters\/http\/imports-memory\.ts -> src\/adapters\/memory\//,
    /^src\/adapters\/mongodb\/imports-sql-internals\.ts -> src\/adapters\/sql\/entities\.ts$/,
    /^src\/adapters\/mongodb\/imports-sql-internals\.ts -> src\/adapters\/sql\/sql-database\.ts$/,
  ],
  'only-composition-root-wires-adapters': [
    /^src\/app\.ts -> src\/adapters\/http\/server\.ts$/,
    /^src\/app\.ts -> src\/adapters\/memory\//,
    /^src\/config\/config\.ts -> src\/adapters\/memory\//,
  ],
  // A cycle is reported once, on whichever of its edges the cruiser meets first.
  'no-circular-core': [
    /^src\/domain\/(article|comment)\.ts -> src\/domain\/(article|comment)\.ts$/,
    /^src\/application\/(ports|list-articles)\.ts -> src\/application\/(ports|list-articles)\.ts$/,
  ],
  'no-unresolvable': [
    /^src\/adapters\/http\/missing-package\.ts -> no-such-package-conduit$/,
    /^src\/domain\/typo\.ts -> \.\/slgu\.js$/,
  ],
};

describe('architecture rules (.dependency-cruiser.cjs)', () => {
  it('npm run arch checks src/ with this config', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.arch).toMatch(/\bdepcruise src --config \.dependency-cruiser\.cjs\b/);
  });

  it('finds no violation in the real src/', async () => {
    const result = await cruise(repoRoot);
    expect(result.summary.violations.map(describeViolation)).toEqual([]);
    // Guards against a vacuous pass: the layer patterns must match modules that exist.
    const sources = result.modules.map((m) => m.source);
    expect(sources.some((s) => s.startsWith('src/domain/'))).toBe(true);
    expect(sources.some((s) => s.startsWith('src/application/'))).toBe(true);
  }, CRUISE_TIMEOUT_MS);

  it('finds no violation in a tree that uses every permitted edge', async () => {
    const result = await cruise(join(fixturesDir, 'allowed'));
    expect(result.summary.violations.map(describeViolation)).toEqual([]);
    expect(result.summary.totalCruised).toBeGreaterThanOrEqual(14);
  }, CRUISE_TIMEOUT_MS);

  it('has a failing fixture for every rule in the config, and no fixture without a rule', () => {
    const require = createRequire(import.meta.url);
    const config = require(configFile) as { forbidden: ReadonlyArray<{ name: string; severity: string }> };
    const ruleNames = config.forbidden.map((rule) => rule.name).sort();
    const fixtureNames = readdirSync(fixturesDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'allowed')
      .map((entry) => entry.name)
      .sort();
    expect(fixtureNames).toEqual(ruleNames);
    expect(Object.keys(expectations).sort()).toEqual(ruleNames);
    // A warning would not fail `npm run arch`, so it would not enforce anything.
    expect(config.forbidden.filter((rule) => rule.severity !== 'error')).toEqual([]);
  });

  describe.concurrent.each(Object.entries(expectations))('fixture %s', (ruleName, expected) => {
    it(`fires ${ruleName} on each planted violation, and nothing else`, async () => {
      const result = await cruise(join(fixturesDir, ruleName));
      const found = result.summary.violations.map((v) => ({ text: `${v.from} -> ${v.to}`, v }));

      expect(found.filter(({ v }) => v.rule.name !== ruleName).map(({ v }) => describeViolation(v))).toEqual([]);
      expect(found.map(({ text }) => text).sort()).toHaveLength(expected.length);
      for (const pattern of expected) {
        const matches = found.filter(({ text }) => pattern.test(text));
        expect(matches.map(({ text }) => text), `exactly one violation matching ${pattern}`).toHaveLength(1);
      }
    }, CRUISE_TIMEOUT_MS);
  });
});
