const SLUG_MAX = 100;

/**
 * The URL form of a title: lower case, accents folded, runs of anything that is not a
 * letter or digit become one "-". A title with no letters or digits at all gives "article".
 */
export const slugify = (title: string): string => {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    // Scripts whose letters decompose into parts (Hangul) are put back together.
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const bounded = [...slug].slice(0, SLUG_MAX).join('').replace(/-+$/g, '');
  return bounded.length > 0 ? bounded : 'article';
};

/** Slugs that are routes of their own (`GET /api/articles/feed`): never given to an article. */
const RESERVED_SLUGS: ReadonlySet<string> = new Set(['feed']);

/**
 * Whether the slug a title asks for is already held by another article, and the suffix to
 * make it unique when it is. Handlers first assume it is free and learn otherwise from the
 * repository's unique constraint, so the common case costs no look-up.
 */
export interface SlugAvailability {
  readonly baseTaken: boolean;
  readonly uniqueSuffix: string;
}

/** The slug to give: the base slug when free, otherwise the base plus the unique suffix. */
export const chooseSlug = (base: string, availability: SlugAvailability): string =>
  availability.baseTaken || RESERVED_SLUGS.has(base) ? `${base}-${availability.uniqueSuffix}` : base;
