/** One input document of the demo pipeline. */
export interface DemoDocument {
  readonly docId: string;
  readonly title: string;
  readonly text: string;
}

const SUBJECTS = [
  'The team',
  'Our customer',
  'The new release',
  'The support desk',
  'The warehouse',
  'The pilot project',
];
const VERBS = ['reported', 'delivered', 'described', 'noticed', 'celebrated', 'questioned'];
const POSITIVE = [
  'excellent results',
  'a great experience',
  'fast delivery',
  'happy users',
  'a reliable service',
];
const NEGATIVE = ['a slow response', 'broken builds', 'angry customers', 'a painful outage', 'poor quality'];
const NEUTRAL = ['the quarterly numbers', 'a routine update', 'the usual schedule', 'several meetings'];
const TITLES = [
  'Weekly report',
  'Customer letter',
  'Release notes',
  'Incident review',
  'Project memo',
  'Field notes',
];

/** Deterministic pseudo-random numbers (LCG), so every run of the demo sees the same documents. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/**
 * Generates `count` documents of 6–20 sentences. Each document leans positive, negative or neutral, so the
 * pipeline's route sends some to review and publishes the others.
 */
export function sampleDocuments(count: number, seed = 42): DemoDocument[] {
  const random = seeded(seed);
  const docs: DemoDocument[] = [];
  for (let i = 0; i < count; i++) {
    const lean = i % 3;
    const sentences: string[] = [];
    const length = 6 + Math.floor(random() * 15);
    for (let s = 0; s < length; s++) {
      const r = random();
      const pool =
        r < 0.45 ? [POSITIVE, NEGATIVE, NEUTRAL][lean] : r < 0.7 ? NEUTRAL : r < 0.85 ? POSITIVE : NEGATIVE;
      sentences.push(`${pick(random, SUBJECTS)} ${pick(random, VERBS)} ${pick(random, pool ?? NEUTRAL)}.`);
    }
    docs.push({
      docId: `doc-${String(i + 1).padStart(3, '0')}`,
      title: `${pick(random, TITLES)} #${i + 1}`,
      text: sentences.join(' '),
    });
  }
  return docs;
}
