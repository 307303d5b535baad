import type { Manifest } from './kustomize.js';

/**
 * The project's rules for its own manifests, beyond what the API schema can say: the
 * pods pass the "restricted" Pod Security profile and match the image (uid), the probes
 * point at the right endpoints, the shutdown timings agree with the app's settings, and
 * every reference between objects (Service → pods, Ingress → Service, HPA/PDB → pods,
 * envFrom → ConfigMap) resolves inside the rendering.
 */
export interface PolicyOptions {
  /** The uid of the image's user (the Dockerfile's `USER node`: 1000 in the official Node images). */
  readonly imageUid: number;
  /** Secrets that are created outside the kustomization on purpose (credentials). */
  readonly externalSecrets: readonly string[];
}

export interface PolicyViolation {
  readonly object: string;
  readonly message: string;
}

type Obj = Record<string, unknown>;

const obj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});
const list = (value: unknown): Obj[] => (Array.isArray(value) ? value.map(obj) : []);
const at = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((node, key) => obj(node)[key], value);

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function labelsMatch(selector: unknown, labels: unknown): boolean {
  const wanted = Object.entries(obj(at(selector, 'matchLabels')));
  const have = obj(labels);
  return wanted.length > 0 && wanted.every(([key, value]) => have[key] === value);
}

/** The value of an environment variable as the container would see it (env wins over envFrom). */
function envValue(container: Obj, name: string, configMaps: Map<string, Obj>): string | undefined {
  const direct = list(container.env).find((e) => e.name === name);
  if (direct !== undefined) return typeof direct.value === 'string' ? direct.value : undefined;
  let value: string | undefined;
  for (const source of list(container.envFrom)) {
    const data = configMaps.get(String(at(source, 'configMapRef', 'name')));
    const candidate = obj(data)[name];
    if (typeof candidate === 'string') value = candidate;
  }
  return value;
}

function sleepSeconds(container: Obj): number | undefined {
  const command = at(container, 'lifecycle', 'preStop', 'exec', 'command');
  if (!Array.isArray(command) || command[0] !== 'sleep' || command.length !== 2) return undefined;
  const seconds = Number(command[1]);
  return Number.isFinite(seconds) ? seconds : undefined;
}

function checkContainer(container: Obj, pod: Obj, report: (message: string) => void, options: PolicyOptions): void {
  const name = String(container.name);
  const podSecurity = obj(pod.securityContext);
  const security = obj(container.securityContext);
  if (security.runAsNonRoot !== true && podSecurity.runAsNonRoot !== true) report(`${name}: runAsNonRoot is not true`);
  const uid = security.runAsUser ?? podSecurity.runAsUser;
  if (uid !== undefined && uid !== options.imageUid)
    report(`${name}: runAsUser ${String(uid)} is not the image's user (${options.imageUid})`);
  if (security.allowPrivilegeEscalation !== false) report(`${name}: allowPrivilegeEscalation is not false`);
  if (security.readOnlyRootFilesystem !== true) report(`${name}: readOnlyRootFilesystem is not true`);
  const dropped = at(security, 'capabilities', 'drop');
  if (!Array.isArray(dropped) || !dropped.includes('ALL')) report(`${name}: capabilities do not drop ALL`);
  const seccomp = at(security, 'seccompProfile', 'type') ?? at(podSecurity, 'seccompProfile', 'type');
  if (seccomp !== 'RuntimeDefault') report(`${name}: seccompProfile is not RuntimeDefault`);
  for (const kind of ['requests', 'limits'])
    for (const resource of ['cpu', 'memory'])
      if (at(container, 'resources', kind, resource) === undefined) report(`${name}: no resources.${kind}.${resource}`);
  if (security.readOnlyRootFilesystem === true && !list(container.volumeMounts).some((m) => m.mountPath === '/tmp'))
    report(`${name}: read-only root filesystem without a writable /tmp`);
  if (container.livenessProbe === undefined) report(`${name}: no livenessProbe`);
  if (container.startupProbe === undefined) report(`${name}: no startupProbe`);

  // A container that serves the API is probed on the endpoints made for it.
  if (list(container.ports).some((p) => p.name === 'http')) {
    if (at(container, 'readinessProbe', 'httpGet', 'path') !== '/health/ready')
      report(`${name}: readinessProbe is not GET /health/ready`);
    if (at(container, 'livenessProbe', 'httpGet', 'path') !== '/health/live')
      report(`${name}: livenessProbe is not GET /health/live`);
  }
}

function checkShutdown(container: Obj, pod: Obj, configMaps: Map<string, Obj>, report: (m: string) => void): void {
  const name = String(container.name);
  const drainMs = Number(envValue(container, 'SHUTDOWN_DRAIN_MS', configMaps) ?? 0);
  const timeoutMs = Number(envValue(container, 'SHUTDOWN_TIMEOUT_MS', configMaps) ?? Number.NaN);
  if (!Number.isFinite(timeoutMs)) {
    report(`${name}: SHUTDOWN_TIMEOUT_MS is not set, so the grace period cannot be checked`);
    return;
  }
  const preStop = sleepSeconds(container);
  if (container.lifecycle !== undefined && preStop === undefined)
    report(`${name}: preStop is not ["sleep", "<seconds>"]`);
  if (preStop !== undefined && preStop * 1000 !== drainMs)
    report(`${name}: preStop sleeps ${preStop}s but SHUTDOWN_DRAIN_MS is ${drainMs}`);
  const grace = typeof pod.terminationGracePeriodSeconds === 'number' ? pod.terminationGracePeriodSeconds : 30;
  // The preStop sleep and the app's own drain may both run before the close timeout starts.
  const needed = (preStop ?? 0) + (preStop !== undefined ? drainMs / 1000 : 0) + timeoutMs / 1000;
  if (grace <= needed)
    report(`${name}: terminationGracePeriodSeconds ${grace} is not above preStop + drain + timeout = ${needed}s`);
}

export function checkPolicy(manifests: readonly Manifest[], options: PolicyOptions): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const id = (m: Manifest) => `${m.kind} ${m.metadata.namespace ?? '-'}/${m.metadata.name}`;
  const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const configMaps = new Map(byKind('ConfigMap').map((m) => [m.metadata.name, obj(m.data)]));
  const secrets = new Set([...byKind('Secret').map((m) => m.metadata.name), ...options.externalSecrets]);
  const workloads = manifests.filter((m) => WORKLOAD_KINDS.has(m.kind));

  for (const workload of workloads) {
    const report = (message: string) => violations.push({ object: id(workload), message });
    const template = at(workload, 'spec', 'template');
    const pod = obj(at(template, 'spec'));
    if (!labelsMatch(at(workload, 'spec', 'selector'), at(template, 'metadata', 'labels')))
      report('spec.selector does not match the pod template labels');
    if (pod.automountServiceAccountToken !== false) report('automountServiceAccountToken is not false');
    for (const container of [...list(pod.initContainers), ...list(pod.containers)]) {
      checkContainer(container, pod, report, options);
      checkShutdown(container, pod, configMaps, report);
      for (const source of list(container.envFrom)) {
        const configMap = at(source, 'configMapRef', 'name');
        if (configMap !== undefined && !configMaps.has(String(configMap)))
          report(`${String(container.name)}: envFrom ConfigMap ${String(configMap)} is not in the rendering`);
        const secret = at(source, 'secretRef', 'name');
        if (secret !== undefined && !secrets.has(String(secret)))
          report(`${String(container.name)}: envFrom Secret ${String(secret)} is neither rendered nor declared external`);
      }
    }
  }

  const podsOf = (selector: unknown) => workloads.filter((w) => labelsMatch(selector, at(w, 'spec', 'template', 'metadata', 'labels')));
  for (const service of byKind('Service')) {
    const selector = { matchLabels: at(service, 'spec', 'selector') };
    const targets = podsOf(selector);
    if (targets.length === 0) violations.push({ object: id(service), message: 'selects no workload of the rendering' });
    const portNames = new Set(
      targets.flatMap((w) => list(at(w, 'spec', 'template', 'spec', 'containers')).flatMap((c) => list(c.ports).map((p) => p.name))),
    );
    for (const port of list(at(service, 'spec', 'ports')))
      if (typeof port.targetPort === 'string' && !portNames.has(port.targetPort))
        violations.push({ object: id(service), message: `targetPort ${port.targetPort} is no container port of its pods` });
  }
  for (const budget of byKind('PodDisruptionBudget'))
    if (podsOf(at(budget, 'spec', 'selector')).length === 0)
      violations.push({ object: id(budget), message: 'selects no workload of the rendering' });
  for (const autoscaler of byKind('HorizontalPodAutoscaler')) {
    const target = obj(at(autoscaler, 'spec', 'scaleTargetRef'));
    if (!workloads.some((w) => w.kind === target.kind && w.metadata.name === target.name))
      violations.push({ object: id(autoscaler), message: `scaleTargetRef ${String(target.kind)}/${String(target.name)} is not in the rendering` });
  }
  for (const ingress of byKind('Ingress')) {
    for (const rule of list(at(ingress, 'spec', 'rules')))
      for (const path of list(at(rule, 'http', 'paths'))) {
        const backend = obj(at(path, 'backend', 'service'));
        const service = byKind('Service').find((s) => s.metadata.name === backend.name);
        const portName = at(backend, 'port', 'name');
        if (service === undefined)
          violations.push({ object: id(ingress), message: `backend Service ${String(backend.name)} is not in the rendering` });
        else if (portName !== undefined && !list(at(service, 'spec', 'ports')).some((p) => p.name === portName))
          violations.push({ object: id(ingress), message: `Service ${String(backend.name)} has no port ${String(portName)}` });
      }
    if (list(at(ingress, 'spec', 'tls')).length === 0) violations.push({ object: id(ingress), message: 'has no tls section' });
  }
  return violations;
}
