/**
 * The scenario ids `pnpm bench` must run, in order: the one list the CLI selection test and the smoke
 * test both check `ALL_SCENARIOS` against, so a scenario added or dropped is a one-line change here.
 */
export const EXPECTED_SCENARIO_IDS: readonly string[] = [
  'p1',
  'p2',
  'p3',
  'p4',
  'p5',
  'p6',
  'p7',
  'p8',
  'p9',
  'p10',
  'p11',
  'p12',
  'p13',
  'p14',
  'p15',
  'p16',
  'p17',
];
