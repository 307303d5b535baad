import { beforeEach, describe, expect, it } from 'vitest';
import {
  ensureActiveGeneration,
  FIRST_GENERATION,
  type ActiveGeneration,
} from '../../../src/application/read-side/active-generation.js';
import type { ReadModelGenerations } from '../../../src/application/read-side/read-model-generations.js';
import { aUser, FixtureWriter, givenArticle, type ReadStores } from '../read-store/read-store.fixtures.js';

/**
 * The contract of ReadModelGenerations (generations of one read store), run against every
 * adapter. `stores` are the live writer and the query adapters wired as the container
 * wires them: they follow whichever generation is active (`active`).
 */
export interface ReadModelGenerationsFixture {
  readonly store: ReadModelGenerations;
  readonly active: ActiveGeneration;
  readonly stores: ReadStores;
  /** Destroys the generation's data behind the store's back (a dropped schema, an emptied database). */
  loseData(generation: string): Promise<void>;
}

/** Gives a store with no generation at all (a fresh database); called before every test. */
export type OpenReadModelGenerations = () => Promise<ReadModelGenerationsFixture>;

const PAGE = { limit: 20, offset: 0 };

export function readModelGenerationsContract(open: OpenReadModelGenerations): void {
  describe('ReadModelGenerations contract', () => {
    let fixture: ReadModelGenerationsFixture;
    beforeEach(async () => {
      fixture = await open();
    });
    const store = () => fixture.store;
    /** A swap, as the rebuild makes it: the pointer, then this process's cache of it. */
    const activate = async (generation: string, replayFrom: number) => {
      await store().activate(generation, replayFrom);
      fixture.active.forget();
    };
    const writerIn = (generation: string) => new FixtureWriter(store().writerFor(generation));

    it('starts with no generation, no active one and no replay mark', async () => {
      expect(await store().activeGeneration()).toBeNull();
      expect(await store().listGenerations()).toEqual([]);
      expect(await store().replayFrom()).toBeNull();
    });

    it('prepares idempotently and lists generations oldest first', async () => {
      for (const generation of ['gb', 'ga', 'gc', 'ga']) await store().prepare(generation);
      expect(await store().listGenerations()).toEqual(['gb', 'ga', 'gc']);
      expect(await store().activeGeneration()).toBeNull();
    });

    it('activates the pointer and the replay mark together; clearing the mark keeps the pointer', async () => {
      await store().prepare('g1');
      await store().prepare('g2');
      await activate('g1', 0);
      await activate('g2', 42);
      expect(await store().activeGeneration()).toBe('g2');
      expect(await store().replayFrom()).toBe(42);
      await store().clearReplayFrom();
      expect(await store().replayFrom()).toBeNull();
      expect(await store().activeGeneration()).toBe('g2');
    });

    it('refuses to activate a generation that was never prepared, or with a bad mark', async () => {
      await store().prepare('g1');
      await activate('g1', 3);
      await expect(store().activate('g9', 5)).rejects.toThrow();
      await expect(store().activate('g1', -1)).rejects.toThrow();
      await expect(store().activate('g1', 1.5)).rejects.toThrow();
      expect(await store().activeGeneration()).toBe('g1');
      expect(await store().replayFrom()).toBe(3);
    });

    it('refuses generation names that are not a lower-case letter then lower-case letters, digits or _', async () => {
      for (const bad of ['', 'G1', '1g', 'g-1', 'g.1', 'g 1', 'g"; drop schema public cascade; --', `g${'x'.repeat(38)}`]) {
        await expect(store().prepare(bad), bad).rejects.toThrow();
        await expect(store().drop(bad), bad).rejects.toThrow();
        await expect(store().activate(bad, 0), bad).rejects.toThrow();
        expect(() => store().writerFor(bad), bad).toThrow();
      }
      await store().prepare(`g${'x'.repeat(37)}`);
      expect(await store().listGenerations()).toEqual([`g${'x'.repeat(37)}`]);
    });

    it('writes through writerFor(generation) into that generation only', async () => {
      await store().prepare('g1');
      await store().prepare('g2');
      await activate('g1', 0);
      const user = aUser({ username: 'OnlyInG2' });
      await writerIn('g2').upsertUser(user);
      expect(await fixture.stores.users.findById(user.id)).toBeNull();

      await activate('g2', 0);
      expect((await fixture.stores.users.findById(user.id))?.username).toBe('OnlyInG2');
    });

    it('serves queries and the live writer from whichever generation is active', async () => {
      await store().prepare('g1');
      await activate('g1', 0);
      const old = aUser({ username: 'old' });
      await fixture.stores.writer.upsertUser(old);
      const oldArticle = await givenArticle(fixture.stores, old, { tagList: ['old-tag'] });

      await store().prepare('g2');
      const fresh = aUser({ username: 'fresh' });
      await writerIn('g2').upsertUser(fresh);
      await activate('g2', 7);

      expect(await fixture.stores.users.findById(old.id)).toBeNull();
      expect(await fixture.stores.articles.findBySlug(oldArticle.slug)).toBeNull();
      expect(await fixture.stores.articles.tags()).toEqual([]);
      const article = await givenArticle(fixture.stores, fresh, { tagList: ['new-tag'] });
      expect((await fixture.stores.articles.list({}, PAGE)).items.map((a) => a.slug)).toEqual([article.slug]);
      expect(await fixture.stores.articles.tags()).toEqual(['new-tag']);
      // The old generation is untouched: a rollback would find it as it was.
      await activate('g1', 0);
      expect((await fixture.stores.articles.list({}, PAGE)).items.map((a) => a.slug)).toEqual([oldArticle.slug]);
    });

    it('drops a generation that is not active, and refuses the active one', async () => {
      await store().prepare('g1');
      await store().prepare('g2');
      await activate('g1', 0);
      const user = aUser();
      await writerIn('g2').upsertUser(user);
      await expect(store().drop('g1')).rejects.toThrow();
      await store().drop('g2');
      await store().drop('g2');
      expect(await store().listGenerations()).toEqual(['g1']);
      await expect(writerIn('g2').upsertUser(aUser())).rejects.toThrow();

      // Prepared again, it starts empty.
      await store().prepare('g2');
      await activate('g2', 0);
      expect(await fixture.stores.users.findById(user.id)).toBeNull();
    });

    it('knows a prepared generation whole, and one never prepared or dropped not', async () => {
      await store().prepare('g1');
      await store().prepare('g2');
      expect(await store().isIntact('g1')).toBe(true);
      expect(await store().isIntact('g3')).toBe(false);
      await store().drop('g2');
      expect(await store().isIntact('g2')).toBe(false);
      await fixture.loseData('g1');
      expect(await store().isIntact('g1')).toBe(false);
    });

    describe('ensureActiveGeneration', () => {
      it('prepares an active generation that lost its data again, and marks it for a full replay', async () => {
        await store().prepare('g4');
        await activate('g4', 0);
        await store().clearReplayFrom();
        await fixture.loseData('g4');
        expect(await ensureActiveGeneration(store())).toBe((await store().activeGeneration()) ?? FIRST_GENERATION);
        fixture.active.forget();
        const active = await store().activeGeneration();
        expect(active).not.toBeNull();
        expect(await store().isIntact(active!)).toBe(true);
        expect(await store().replayFrom()).toBe(0);
        const user = aUser();
        await fixture.stores.writer.upsertUser(user);
        expect(await fixture.stores.users.findById(user.id)).not.toBeNull();
      });

      it('on a fresh store, prepares and activates the first generation with replay mark 0', async () => {
        expect(await ensureActiveGeneration(store())).toBe(FIRST_GENERATION);
        fixture.active.forget();
        expect(await store().activeGeneration()).toBe(FIRST_GENERATION);
        expect(await store().listGenerations()).toEqual([FIRST_GENERATION]);
        expect(await store().replayFrom()).toBe(0);
        const user = aUser();
        await fixture.stores.writer.upsertUser(user);
        expect(await fixture.stores.users.findById(user.id)).not.toBeNull();
      });

      it('keeps an active generation, its data and its replay mark as they are', async () => {
        await store().prepare('g7');
        await activate('g7', 12);
        const user = aUser();
        await fixture.stores.writer.upsertUser(user);
        await store().clearReplayFrom();

        expect(await ensureActiveGeneration(store())).toBe('g7');
        expect(await ensureActiveGeneration(store())).toBe('g7');
        expect(await store().replayFrom()).toBeNull();
        expect(await store().listGenerations()).toEqual(['g7']);
        expect(await fixture.stores.users.findById(user.id)).not.toBeNull();
      });

      it('gives the same answer to processes starting at once on a fresh store', async () => {
        const answers = await Promise.all([ensureActiveGeneration(store()), ensureActiveGeneration(store())]);
        expect(answers).toEqual([FIRST_GENERATION, FIRST_GENERATION]);
        expect(await store().listGenerations()).toEqual([FIRST_GENERATION]);
      });
    });
  });
}
