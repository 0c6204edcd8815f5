import root from '../../tools/eslint/eslint.config.mjs';

export default [...root];
