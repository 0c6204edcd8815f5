// Module resolution hook (registered by floxide.mjs): resolves the workspace's @floxide packages to their
// TypeScript source through the "@floxide/source" export condition, as `node --conditions=@floxide/source`
// would, without a second Node process.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@floxide/source')
    ? context.conditions
    : [...context.conditions, '@floxide/source'];
  return nextResolve(specifier, { ...context, conditions });
}
