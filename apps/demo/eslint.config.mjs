// User-facing code: the public entry points only (see publicApiOnly).
import root, { publicApiOnly } from '../../tools/eslint/eslint.config.mjs';

export default [...root, ...publicApiOnly];
