import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { validateDirectory } from '../../deploy/tools/k8s-validate.js';

const manifests = join(import.meta.dirname, '../../deploy/k8s');
const scratch = mkdtempSync(join(tmpdir(), 'conduit-k8s-validate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Doc = Record<string, any>;
let copies = 0;

/** A copy of deploy/k8s with one file's documents changed, validated. */
function validateWith(file: string, change: (docs: Doc[]) => void) {
  const dir = join(scratch, `case-${++copies}`);
  cpSync(manifests, dir, { recursive: true });
  const path = join(dir, file);
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Doc);
  change(docs);
  writeFileSync(path, docs.map((d) => stringify(d)).join('---\n'));
  return validateDirectory(dir).problems;
}

const apiContainer = (docs: Doc[]) => docs[0]!.spec.template.spec.containers[0];

describe('deploy/k8s validation (offline Kubernetes schemas + policy)', () => {
  it('accepts the shipped manifests and checks every document, the Secret example included', () => {
    const report = validateDirectory(manifests);
    expect(report.problems).toEqual([]);
    expect(report.schemaSource).toMatch(/^kubernetes-models@4\.3\.1 \(Kubernetes 1\.27 API\)$/);
    const kinds = report.checked.map((line) => line.split(' ')[0]).sort();
    expect(kinds).toEqual([
      'ConfigMap',
      'Deployment',
      'Deployment',
      'Deployment',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'Namespace',
      'NetworkPolicy',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'PodDisruptionBudget',
      'Secret',
      'Service',
      'ServiceAccount',
    ]);
    expect(report.checked.find((line) => line.startsWith('Secret'))).toContain('[outside the kustomization]');
  });

  it('rejects the broken fixture: a wrong field type and an unknown field', () => {
    const { problems } = validateDirectory(join(import.meta.dirname, 'fixtures/k8s-broken'));
    expect(problems).toContain('Deployment broken/broken (deployment.yaml): /spec/replicas must be integer');
    expect(problems).toContain(
      'Deployment broken/broken (deployment.yaml): /spec/template/spec/containers/0 unknown field "readinessprobe"',
    );
    // The same container also breaks the policy.
    expect(problems.some((p) => p.endsWith('api: runAsNonRoot is not true'))).toBe(true);
  });

  it('rejects a resource quantity the API server would not parse', () => {
    const problems = validateWith('api-deployment.yaml', (docs) => {
      apiContainer(docs).resources.limits.memory = '512 MB';
    });
    expect(problems.join('\n')).toMatch(/resources\/limits\/memory must match format "quantity"/);
  });

  it('rejects an unknown field in a nested object of another kind', () => {
    const problems = validateWith('ingress.yaml', (docs) => {
      docs[0]!.spec.tls[0].secret = 'conduit-tls';
    });
    expect(problems).toContain('Ingress conduit/conduit-api (ingress.yaml): /spec/tls/0 unknown field "secret"');
  });

  it('rejects a kind that the Kubernetes API does not have', () => {
    const problems = validateWith('api-pdb.yaml', (docs) => {
      docs[0]!.apiVersion = 'policy/v1beta7';
    });
    expect(problems).toContain(
      'PodDisruptionBudget conduit/conduit-api (api-pdb.yaml): no Kubernetes schema for policy/v1beta7 PodDisruptionBudget',
    );
  });

  it('enforces the security context the restricted profile and the image need', () => {
    const problems = validateWith('api-deployment.yaml', (docs) => {
      const container = apiContainer(docs);
      container.securityContext.readOnlyRootFilesystem = false;
      container.securityContext.capabilities.drop = ['NET_RAW'];
      docs[0]!.spec.template.spec.securityContext.runAsUser = 0;
    });
    const api = 'Deployment conduit/conduit-api: api: ';
    expect(problems).toEqual(
      expect.arrayContaining([
        `${api}readOnlyRootFilesystem is not true`,
        `${api}capabilities do not drop ALL`,
        `${api}runAsUser 0 is not the image's user (1000)`,
      ]),
    );
  });

  it('keeps the preStop sleep equal to SHUTDOWN_DRAIN_MS', () => {
    const problems = validateWith('api-deployment.yaml', (docs) => {
      apiContainer(docs).lifecycle.preStop.exec.command = ['sleep', '3'];
    });
    expect(problems).toContain('Deployment conduit/conduit-api: api: preStop sleeps 3s but SHUTDOWN_DRAIN_MS is 10000');
  });

  it('keeps the grace period above preStop + drain + shutdown timeout', () => {
    const problems = validateWith('configmap.yaml', (docs) => {
      docs[0]!.data.SHUTDOWN_TIMEOUT_MS = '40000';
    });
    expect(problems).toContain(
      'Deployment conduit/conduit-api: api: terminationGracePeriodSeconds 45 is not above preStop + drain + timeout = 60s',
    );
    expect(problems).toContain(
      'Deployment conduit/conduit-worker: worker: terminationGracePeriodSeconds 30 is not above preStop + drain + timeout = 40s',
    );
  });

  it('probes the API on its health endpoints', () => {
    const problems = validateWith('api-deployment.yaml', (docs) => {
      apiContainer(docs).readinessProbe.httpGet.path = '/health/live';
    });
    expect(problems).toContain('Deployment conduit/conduit-api: api: readinessProbe is not GET /health/ready');
  });

  it('resolves references between objects', () => {
    const service = validateWith('api-service.yaml', (docs) => {
      docs[0]!.spec.selector['app.kubernetes.io/component'] = 'apii';
    });
    expect(service).toContain('Service conduit/conduit-api: selects no workload of the rendering');
    const ingress = validateWith('ingress.yaml', (docs) => {
      docs[0]!.spec.rules[0].http.paths[0].backend.service.port.name = 'web';
    });
    expect(ingress).toContain('Ingress conduit/conduit-api: Service conduit-api has no port web');
    const hpa = validateWith('api-hpa.yaml', (docs) => {
      docs[0]!.spec.scaleTargetRef.name = 'conduit';
    });
    expect(hpa).toContain('HorizontalPodAutoscaler conduit/conduit-api: scaleTargetRef Deployment/conduit is not in the rendering');
  });

  it('refuses kustomization features the offline renderer does not implement', () => {
    const problems = validateWith('kustomization.yaml', (docs) => {
      docs[0]!.patches = [{ path: 'patch.yaml' }];
    });
    expect(problems.join('\n')).toMatch(/patches not supported by the offline renderer/);
  });

  it('validates the files the kustomization leaves out, such as the Secret example', () => {
    const problems = validateWith('secret.example.yaml', (docs) => {
      docs[0]!.stringData.JWT_SECRET = 42;
    });
    expect(problems).toContain(
      'Secret conduit/conduit-secrets (secret.example.yaml) [outside the kustomization]: /stringData/JWT_SECRET must be string',
    );
  });
});
