/** Render sorted posix paths as an indented tree under `root`, with an optional note after each file. */
export function formatTree(root: string, paths: readonly string[], noteOf: (path: string) => string = () => ''): string {
  interface Node {
    children: Map<string, Node>;
    path?: string;
  }
  const top: Node = { children: new Map() };
  for (const path of paths) {
    let node = top;
    for (const part of path.split('/')) {
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { children: new Map() }));
      node = child;
    }
    node.path = path;
  }
  const lines = [`${root}/`];
  const walk = (node: Node, indent: string) => {
    // Folders first, then files, each alphabetically: the order people expect from a file tree.
    const entries = [...node.children].sort(([a, x], [b, y]) => Number(x.children.size === 0) - Number(y.children.size === 0) || a.localeCompare(b));
    entries.forEach(([name, child], index) => {
      const last = index === entries.length - 1;
      const isFolder = child.children.size > 0;
      const note = child.path && !isFolder ? noteOf(child.path) : '';
      lines.push(`${indent}${last ? '└── ' : '├── '}${name}${isFolder ? '/' : ''}${note ? `  ${note}` : ''}`);
      if (isFolder) walk(child, `${indent}${last ? '    ' : '│   '}`);
    });
  };
  walk(top, '');
  return lines.join('\n');
}
