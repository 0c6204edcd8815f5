// User-facing code: the public entry points only (see publicApiOnly).
import root, { publicApiOnly } from '../../tools/eslint/eslint.config.mjs';

// fixtures/ are copied into the fresh project and compiled there, against the installed tarballs.
export default [...root, ...publicApiOnly, { ignores: ['fixtures/**'] }];
