import { describe, expect, it } from 'vitest';
import { databaseInUrl } from '../../../src/adapters/mongodb/mongo-read-orm.js';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

describe('MongoDB read-store settings', () => {
  it.each([
    ['mongodb://127.0.0.1:27017/conduit', 'conduit'],
    ['mongodb://user:p%40ss@h1:27017,h2:27017/reads?replicaSet=rs0', 'reads'],
    ['mongodb+srv://cluster.example.net/my%20db?retryWrites=true', 'my db'],
    ['mongodb://127.0.0.1:27017/', undefined],
    ['mongodb://127.0.0.1:27017', undefined],
    ['mongodb://127.0.0.1:27017/?authSource=admin', undefined],
  ])('finds the database named in %s', (url, name) => {
    expect(databaseInUrl(url)).toBe(name);
  });

  it('reads MONGO_URL when it is a MongoDB URL, and treats an empty one as unset', () => {
    expect(loadConfig({ MONGO_URL: 'mongodb://mongo:27017/conduit' }).mongoUrl).toBe('mongodb://mongo:27017/conduit');
    expect(loadConfig({ MONGO_URL: 'mongodb+srv://cluster.example.net/conduit' }).mongoUrl).toBe(
      'mongodb+srv://cluster.example.net/conduit',
    );
    expect(loadConfig({ MONGO_URL: '' }).mongoUrl).toBeUndefined();
    expect(loadConfig({}).mongoUrl).toBeUndefined();
    expect(() => loadConfig({ MONGO_URL: 'postgres://localhost/conduit' })).toThrow(ConfigError);
    expect(() => loadConfig({ MONGO_URL: 'localhost:27017' })).toThrow(/MONGO_URL/);
  });
});
