import { createRequire, Module } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';

/**
 * The Kubernetes API schemas, offline: the JSON Schemas (generated from the Kubernetes
 * OpenAPI definitions) that the `kubernetes-models` package ships, compiled with the
 * project's own Ajv. Nothing is fetched at run time.
 *
 * kubernetes-models 4.3.1 is the last release that ships the schemas as data (later
 * releases ship only precompiled validators); it was generated from the Kubernetes 1.27
 * API. Manifests checked against it use nothing newer than 1.27, so they apply to any
 * cluster from 1.27 on.
 *
 * Strict, like `kubectl apply --validate=strict`: every object that lists its properties
 * refuses the others, so a misspelt field (`readinessprobe`) is an error instead of
 * being silently dropped by the API server.
 */
export const KUBERNETES_API_VERSION = '1.27';

export interface SchemaError {
  readonly path: string;
  readonly message: string;
}

export interface KubernetesSchemas {
  /** `kubernetes-models@<version> (Kubernetes <api>)`, for the report. */
  readonly source: string;
  /** undefined when the apiVersion/kind is not part of the Kubernetes API. */
  validate(document: { apiVersion: string; kind: string }): readonly SchemaError[] | undefined;
}

interface Captured {
  readonly schemas: Map<string, object>;
  model?: { id: string; addSchema: () => void };
}

const require = createRequire(import.meta.url);

// Each model module calls base's `setSchema(ModelClass, schemaId, addSchema)`, and each
// schema module registers its schema through validate's `register(id, schema)`. Stand-ins
// for those two packages capture the ids and the schema objects instead.
function installCapture(modelsDir: string, captured: Captured): void {
  const fromModels = createRequire(join(modelsDir, 'index.js'));
  const fromMachinery = createRequire(fromModels.resolve('@kubernetes-models/apimachinery'));
  const stubs: Record<string, object> = {
    '@kubernetes-models/validate': {
      register: (id: string, schema: object) => void captured.schemas.set(id, schema),
    },
    '@kubernetes-models/base': {
      Model: class {},
      createTypeMetaGuard: () => () => false,
      setSchema: (_ctor: unknown, id: string, addSchema: () => void) => {
        captured.model = { id, addSchema };
      },
    },
  };
  for (const [name, exports] of Object.entries(stubs)) {
    for (const resolver of [fromModels, fromMachinery]) {
      const file = resolver.resolve(name);
      const stub = new Module(file);
      stub.filename = file;
      stub.loaded = true;
      stub.exports = exports;
      require.cache[file] = stub;
    }
  }
}

/** Kubernetes' `resource.Quantity` grammar: a signed decimal with an optional SI, binary-SI or exponent suffix. */
const QUANTITY = /^[+-]?(?:\d+|\d+\.\d*|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * Makes an object schema closed: where it names its properties and says nothing about
 * others, others are refused. Maps (`additionalProperties: {…}`) stay open as declared.
 */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(closeObjects);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (schema.properties !== undefined && schema.additionalProperties === undefined) schema.additionalProperties = false;
  Object.values(schema).forEach(closeObjects);
}

function describe(error: ErrorObject): SchemaError {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  if (error.keyword === 'additionalProperties')
    return { path, message: `unknown field "${String(error.params.additionalProperty)}"` };
  if (error.keyword === 'enum')
    return { path, message: `must be one of ${JSON.stringify(error.params.allowedValues)}` };
  return { path, message: error.message ?? error.keyword };
}

/**
 * Errors a human can act on. A nullable reference is `oneOf: [{$ref}, {type: null}]`, so a
 * bad value also fails the "null" branch and the oneOf itself: those two add nothing.
 */
function meaningful(errors: readonly ErrorObject[]): SchemaError[] {
  const seen = new Set<string>();
  const result: SchemaError[] = [];
  for (const error of errors) {
    if (error.keyword === 'oneOf' || (error.keyword === 'type' && error.params.type === 'null')) continue;
    const described = describe(error);
    const key = `${described.path} ${described.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      result.push(described);
    }
  }
  return result;
}

export function loadKubernetesSchemas(): KubernetesSchemas {
  const modelsDir = dirname(require.resolve('kubernetes-models'));
  const version = (JSON.parse(readFileSync(join(modelsDir, 'package.json'), 'utf8')) as { version: string }).version;
  const captured: Captured = { schemas: new Map() };
  installCapture(modelsDir, captured);

  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormatsPlugin as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat('quantity', { type: 'string', validate: QUANTITY });
  const added = new Set<string>();
  const validators = new Map<string, ValidateFunction | undefined>();

  const validatorFor = (apiVersion: string, kind: string): ValidateFunction | undefined => {
    const key = `${apiVersion}/${kind}`;
    if (validators.has(key)) return validators.get(key);
    // kubernetes-models lays its modules out like apiVersions: v1/Service, apps/v1/Deployment.
    const file = join(modelsDir, ...apiVersion.split('/'), `${kind}.js`);
    let validator: ValidateFunction | undefined;
    if (/^[A-Za-z0-9.\-/]+$/.test(key) && existsSync(file)) {
      captured.model = undefined;
      require(file);
      const model = captured.model as Captured['model'];
      if (model === undefined) throw new Error(`${file} did not declare its schema`);
      model.addSchema();
      for (const [id, schema] of captured.schemas) {
        if (added.has(id)) continue;
        const copy = structuredClone(schema);
        closeObjects(copy);
        ajv.addSchema(copy as AnySchema, id);
        added.add(id);
      }
      validator = ajv.getSchema(model.id);
    }
    validators.set(key, validator);
    return validator;
  };

  return {
    source: `kubernetes-models@${version} (Kubernetes ${KUBERNETES_API_VERSION} API)`,
    validate(document) {
      const validator = validatorFor(document.apiVersion, document.kind);
      if (validator === undefined) return undefined;
      return validator(document) ? [] : meaningful(validator.errors ?? []);
    },
  };
}
