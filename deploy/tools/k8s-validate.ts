import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { checkPolicy, type PolicyOptions } from './k8s-policy.js';
import { loadKubernetesSchemas, type KubernetesSchemas } from './k8s-schemas.js';
import { KustomizationError, readManifests, renderKustomization, type Manifest } from './kustomize.js';

/**
 * Offline check of deploy/k8s: renders the kustomization, validates every document
 * against the Kubernetes API schema of its apiVersion/kind (strict: unknown fields are
 * errors), applies the project's policy (k8s-policy.ts), and validates the YAML files
 * beside it that the kustomization leaves out on purpose (the Secret example).
 *
 *   npx tsx deploy/tools/k8s-validate.ts [dir]     (default deploy/k8s; exit 1 on any problem)
 */
export interface ValidationReport {
  readonly schemaSource: string;
  /** `Kind namespace/name (file)` of every document checked. */
  readonly checked: readonly string[];
  readonly problems: readonly string[];
}

export const DEFAULT_POLICY: PolicyOptions = { imageUid: 1000, externalSecrets: ['conduit-secrets'] };

let schemas: KubernetesSchemas | undefined;

function validateDocument(document: Manifest, where: string, problems: string[]): void {
  schemas ??= loadKubernetesSchemas();
  const errors = schemas.validate(document);
  if (errors === undefined) {
    problems.push(`${where}: no Kubernetes schema for ${document.apiVersion} ${document.kind}`);
    return;
  }
  for (const error of errors) problems.push(`${where}: ${error.path} ${error.message}`);
}

export function validateDirectory(dir: string, policy: PolicyOptions = DEFAULT_POLICY): ValidationReport {
  const checked: string[] = [];
  const problems: string[] = [];
  const describe = (m: Manifest, file: string) => `${m.kind} ${m.metadata.namespace ?? '-'}/${m.metadata.name} (${file})`;
  try {
    const rendered = renderKustomization(dir);
    for (const { file, document } of rendered) {
      const where = describe(document, file);
      checked.push(where);
      validateDocument(document, where, problems);
    }
    for (const violation of checkPolicy(rendered.map((r) => r.document), policy))
      problems.push(`${violation.object}: ${violation.message}`);

    const inKustomization = new Set(rendered.map((r) => r.file));
    const outside = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && !inKustomization.has(f));
    for (const file of outside.sort()) {
      for (const document of readManifests(join(dir, file))) {
        const where = `${describe(document, file)} [outside the kustomization]`;
        checked.push(where);
        validateDocument(document, where, problems);
      }
    }
  } catch (error) {
    if (!(error instanceof KustomizationError)) throw error;
    problems.push(error.message);
  }
  schemas ??= loadKubernetesSchemas();
  return { schemaSource: schemas.source, checked, problems };
}

/** Differences between this renderer and `kubectl kustomize`, or undefined when kubectl is not installed. */
export function compareWithKubectl(dir: string): string[] | undefined {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (run.error !== undefined) return undefined;
  if (run.status !== 0) return [`kubectl kustomize failed: ${run.stderr.trim()}`];
  const key = (m: Manifest) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace ?? '-'}/${m.metadata.name}`;
  const theirs = new Map(parseAllDocuments(run.stdout).map((d) => d.toJS() as Manifest).map((m) => [key(m), m]));
  const ours = new Map(renderKustomization(dir).map(({ document }) => [key(document), document]));
  const differences: string[] = [];
  for (const [name, document] of ours) {
    const other = theirs.get(name);
    if (other === undefined) differences.push(`${name}: only in this rendering`);
    else if (!isDeepStrictEqual(JSON.parse(JSON.stringify(document)), other)) differences.push(`${name}: renders differently`);
  }
  for (const name of theirs.keys()) if (!ours.has(name)) differences.push(`${name}: only in kubectl's rendering`);
  return differences;
}

function main(): void {
  const dir = resolve(process.argv[2] ?? 'deploy/k8s');
  const report = validateDirectory(dir);
  console.log(`k8s-validate: ${dir} against ${report.schemaSource}, strict (unknown fields are errors), offline`);
  for (const line of report.checked) console.log(`  checked ${line}`);
  const differences = report.problems.length === 0 ? compareWithKubectl(dir) : [];
  if (differences === undefined) console.log('  kubectl is not installed: rendering not compared with kubectl kustomize');
  else if (report.problems.length === 0 && differences.length === 0)
    console.log('  the rendering is identical to `kubectl kustomize`');
  const problems = [...report.problems, ...(differences ?? [])];
  for (const problem of problems) console.error(`  ERROR ${problem}`);
  console.log(`k8s-validate: ${report.checked.length} documents, ${problems.length} problems`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
