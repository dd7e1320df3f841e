// A module resolve hook for one purpose: loading TF.js's gradient registrations in Node.
// tfjs-core's Node bundle (dist/tf-core.node.js) registers no gradients; they live in its ES module
// files (dist/register_all_gradients.js), which import their siblings without the `.js` extension,
// as a bundler allows and Node does not. This adds the extension for relative imports inside
// tfjs-core's dist/ folder when that file exists. TF.js keeps its engine and registries in a
// global namespace, so the gradients registered by these files serve the Node bundle too.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? '';
  if (specifier.startsWith('.') && !specifier.endsWith('.js') && parent.includes('/@tensorflow/tfjs-core/dist/')) {
    const url = new URL(`${specifier}.js`, parent);
    if (existsSync(fileURLToPath(url))) return { url: url.href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}
