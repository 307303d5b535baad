import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Renders a kustomization the way `kustomize build` does for the subset this project
 * uses: local resource files, `namespace` and `images`. Anything else in the
 * kustomization is refused rather than ignored, so the rendering checked offline is the
 * rendering a cluster receives. Where `kubectl` is installed, `.ci/k8s-validate.sh`
 * also compares this rendering with `kubectl kustomize`.
 */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

export interface RenderedManifest {
  readonly file: string;
  readonly document: Manifest;
}

interface ImageOverride {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images']);

/** Kinds without a namespace; the namespace transformer leaves them alone (and renames a Namespace). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'IngressClass',
  'PersistentVolume',
  'PriorityClass',
  'StorageClass',
]);

export class KustomizationError extends Error {
  override readonly name = 'KustomizationError';
}

/** Every YAML document of a file, as plain data; a syntax error names the file. */
export function readManifests(path: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  const manifests: Manifest[] = [];
  for (const document of documents) {
    if (document.errors.length > 0)
      throw new KustomizationError(`${path}: ${document.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new KustomizationError(`${path}: a document is not a mapping`);
    const manifest = value as Partial<Manifest>;
    if (typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string')
      throw new KustomizationError(`${path}: a document has no apiVersion or kind`);
    if (typeof manifest.metadata?.name !== 'string')
      throw new KustomizationError(`${path}: ${manifest.kind} has no metadata.name`);
    manifests.push(manifest as Manifest);
  }
  return manifests;
}

function overrideImage(image: string, overrides: readonly ImageOverride[]): string {
  // `name[:tag][@digest]`, where a registry host may carry a port (`host:5000/name`).
  const at = image.indexOf('@');
  const withoutDigest = at === -1 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  const name = colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
  const override = overrides.find((o) => o.name === name);
  if (override === undefined) return image;
  const newName = override.newName ?? name;
  if (override.digest !== undefined) return `${newName}@${override.digest}`;
  if (override.newTag !== undefined) return `${newName}:${override.newTag}`;
  return newName + image.slice(name.length);
}

function applyImages(node: unknown, overrides: readonly ImageOverride[]): void {
  if (Array.isArray(node)) {
    node.forEach((item) => applyImages(item, overrides));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  for (const key of ['containers', 'initContainers']) {
    const containers = object[key];
    if (!Array.isArray(containers)) continue;
    for (const container of containers as Array<Record<string, unknown>>) {
      if (typeof container.image === 'string') container.image = overrideImage(container.image, overrides);
    }
  }
  Object.values(object).forEach((value) => applyImages(value, overrides));
}

/** The documents `kustomize build <dir>` would output, each with the file it came from. */
export function renderKustomization(dir: string): RenderedManifest[] {
  const kustomization = readKustomization(join(dir, 'kustomization.yaml'));
  const overrides = kustomization.images ?? [];
  const rendered: RenderedManifest[] = [];
  for (const resource of kustomization.resources ?? []) {
    for (const document of readManifests(join(dir, resource))) {
      const copy = structuredClone(document) as Manifest & { metadata: Manifest['metadata'] };
      if (kustomization.namespace !== undefined) {
        if (copy.kind === 'Namespace') copy.metadata.name = kustomization.namespace;
        else if (!CLUSTER_SCOPED.has(copy.kind)) copy.metadata.namespace = kustomization.namespace;
      }
      applyImages(copy, overrides);
      rendered.push({ file: resource, document: copy });
    }
  }
  return rendered;
}

interface Kustomization {
  readonly namespace?: string;
  readonly resources?: readonly string[];
  readonly images?: readonly ImageOverride[];
}

function readKustomization(file: string): Kustomization {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  if (documents.length !== 1 || documents[0] === undefined || documents[0].errors.length > 0)
    throw new KustomizationError(`${file}: expected exactly one valid YAML document`);
  const value = documents[0].toJS() as Record<string, unknown>;
  if (value.kind !== 'Kustomization') throw new KustomizationError(`${file}: kind is not Kustomization`);
  const unsupported = Object.keys(value).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length > 0)
    throw new KustomizationError(
      `${file}: ${unsupported.join(', ')} not supported by the offline renderer (extend deploy/tools/kustomize.ts first)`,
    );
  const resources = value.resources ?? [];
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string' || !/^[\w.-]+\.ya?ml$/.test(r)))
    throw new KustomizationError(`${file}: resources must be a list of .yaml files beside it`);
  const images = value.images ?? [];
  if (!Array.isArray(images) || images.some((i) => typeof (i as ImageOverride | null)?.name !== 'string'))
    throw new KustomizationError(`${file}: every images entry needs a name`);
  if (value.namespace !== undefined && typeof value.namespace !== 'string')
    throw new KustomizationError(`${file}: namespace must be a string`);
  return value as Kustomization;
}
