import root from '../../tools/eslint/eslint.config.mjs';

// fixtures/ are copied into the fresh project and compiled there, against the installed tarballs.
export default [...root, { ignores: ['fixtures/**'] }];
