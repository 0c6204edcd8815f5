export { EXAMPLES, findExample, type ExampleEntry } from './examples.js';
