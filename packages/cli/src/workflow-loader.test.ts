import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isWorkflow, loadWorkflow, loadWorkflows } from './workflow-loader.js';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const fixtures = 'src/test-support/workflows.ts';

describe('workflow loader', () => {
  it('loads one workflow by module#export, relative to cwd', async () => {
    const wf = await loadWorkflow(`${fixtures}#doubler`, cwd);
    expect(wf.name).toBe('doubler');
    expect(await wf.run(4)).toBe(8);
  });

  it('collects every workflow a module exports', async () => {
    const names = (await loadWorkflows(fixtures, cwd)).map((wf) => wf.name).sort();
    expect(names).toEqual(['always-fails', 'approval', 'crawl', 'doubler', 'slow-count']);
  });

  it('explains what is wrong with a reference', async () => {
    await expect(loadWorkflow(`${fixtures}#missing`, cwd)).rejects.toThrow(`has no export "missing"`);
    await expect(loadWorkflow(`${fixtures}#notAWorkflow`, cwd)).rejects.toThrow('is not a built workflow');
    await expect(loadWorkflow('./nowhere.ts#x', cwd)).rejects.toThrow(
      'cannot load module "./nowhere.ts": not found',
    );
    await expect(loadWorkflow('#x', cwd)).rejects.toThrow('expected <module>#<export>');
  });

  it('recognises built workflows only', () => {
    expect(isWorkflow({ name: 'x', version: 1, nodes: new Map(), createStartItem: () => undefined })).toBe(
      true,
    );
    expect(isWorkflow({ name: 'x' })).toBe(false);
    expect(isWorkflow(null)).toBe(false);
  });
});
