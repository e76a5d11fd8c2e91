/**
 * Under tsx, `import '…/BatchDelete.node'` would load the node's codex file BatchDelete.node.json:
 * Node tries `.json` before the `.ts` tsx adds. Moving `.json` last makes the TypeScript source
 * win, as it does under ts-jest and in the compiled package (where BatchDelete.node.js exists).
 * Imported first by what runs under tsx and loads the node: test/reliability/longRun.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const extensions = (require('node:module') as { _extensions: Record<string, unknown> })._extensions;
const json = extensions['.json'];
delete extensions['.json'];
extensions['.json'] = json;

export {};
