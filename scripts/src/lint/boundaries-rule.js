// An ESLint rule that enforces who may import whom (see ../shared/STYLE.md, "House habits").
//
// Zones are folders of the repository. A zone may forbid Node built-ins, may list the only npm packages it
// may use, and may list the only folders its relative imports may reach. Device packages (serialport,
// node-hid) are allowed only inside the device-opening module, wherever the importing file sits.
import { builtinModules } from 'node:module';
import path from 'node:path';

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** '@scope/name/sub' -> '@scope/name'; 'name/sub' -> 'name'. */
function packageOf(source) {
  const parts = source.split('/');
  return source.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function matchesPackage(pattern, pkg) {
  return pattern.endsWith('/') ? pkg.startsWith(pattern) : pkg === pattern;
}

function isInside(relativePath, folders) {
  return folders.some(
    (folder) => relativePath === folder.replace(/\/$/, '') || relativePath.startsWith(folder),
  );
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import boundaries between the parts of the cash-in network.' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          zones: { type: 'array' },
          devicePackages: { type: 'array', items: { type: 'string' } },
          deviceModule: { type: 'array', items: { type: 'string' } },
        },
        required: ['root', 'zones', 'devicePackages', 'deviceModule'],
        additionalProperties: false,
      },
    ],
    messages: {
      builtin: "'{{source}}' is a Node built-in, and files in {{zone}} must not import Node built-ins.",
      package: "'{{source}}' is not among the packages {{zone}} may import ({{allowed}}).",
      local: "'{{source}}' reaches {{target}}, outside what {{zone}} may import ({{allowed}}).",
      device: "'{{source}}' may be imported only by the device-opening module ({{allowed}}).",
    },
  },
  create(context) {
    const { root, zones, devicePackages, deviceModule } = context.options[0];
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    // The most specific zone wins, so a sub-folder can be stricter than its parent.
    const zone = zones
      .filter((candidate) => isInside(file, [candidate.folder]))
      .sort((a, b) => b.folder.length - a.folder.length)[0];

    function check(node, source) {
      if (typeof source !== 'string') return;
      const relative = source.startsWith('.');
      if (!relative) {
        const pkg = packageOf(source);
        if (devicePackages.some((pattern) => matchesPackage(pattern, pkg)) && !isInside(file, deviceModule)) {
          context.report({ node, messageId: 'device', data: { source, allowed: deviceModule.join(', ') } });
          return;
        }
      }
      if (!zone) return;
      if (relative) {
        if (!zone.allowLocal) return;
        const target = path
          .relative(root, path.resolve(path.dirname(context.filename), source))
          .split(path.sep)
          .join('/');
        if (!isInside(target, zone.allowLocal)) {
          context.report({
            node,
            messageId: 'local',
            data: { source, target, zone: zone.folder, allowed: zone.allowLocal.join(', ') },
          });
        }
        return;
      }
      if (zone.noBuiltins && builtins.has(source)) {
        context.report({ node, messageId: 'builtin', data: { source, zone: zone.folder } });
        return;
      }
      if (
        zone.allowPackages &&
        !zone.allowPackages.some((pattern) => matchesPackage(pattern, packageOf(source)))
      ) {
        context.report({
          node,
          messageId: 'package',
          data: { source, zone: zone.folder, allowed: zone.allowPackages.join(', ') },
        });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
