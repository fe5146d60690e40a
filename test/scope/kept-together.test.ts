/**
 * State another module builds its own state from stays shared when that state does: built-on-shared-v1 (an
 * SSH-like link and a file channel a tool opens over it, which a keep-alive timer also uses) is a fixture; here the
 * channel is instead created once, on first use, by the tool that reads through it, so it is the process's cache:
 * a record for the link alone would hand the first conversation's link to everyone's channel. And copies of a
 * browser context (context-copies-v1) with the reader's module read first: the browser launched beside the opener's
 * copy still joins the opener's part, or a second conversation would never get a context.
 */
import { describe, expect, it } from 'vitest';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { loadFixtureCases } from '../helpers/fixtures.js';

const CACHED_CHANNEL = `import { getConnection } from './connection.js';
import type { Channel } from './link.js';

// A file channel over the link, opened on first use.
let channel: Channel | null = null;

export async function getChannel(): Promise<Channel> {
  const opened = await getConnection();
  if (!channel) channel = await opened.channel();
  return channel;
}
`;

describe('a channel created once over a link the tools open', () => {
  it('keeps the link shared too, with the marker naming the channel and the function it goes through', () => {
    const fixture = loadFixtureCases('session-scope').find((c) => c.name === 'built-on-shared-v1')!;
    const index = fixture.input['src/index.ts']!
      .replace("import { openChannel, readFile } from './files.js';", "import { getChannel } from './files.js';")
      .replace(/server\.tool\('open_channel'[^\n]*\n\n/, '')
      .replace('await readFile(path)', 'await (await getChannel()).read(path)');
    const result = transformFiles({ ...fixture.input, 'src/files.ts': CACHED_CHANNEL, 'src/index.ts': index }, { transforms: TRANSFORMS });
    const connection = result.changed['src/connection.ts']!;
    const markers = connection.split('\n').filter((line) => line.includes(TODO_MARKER));
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatch(/link stays shared: src\/files\.ts builds channel from it \(through getConnection\(\)\), and channel is created once, on first use, for the whole process/);
    expect(Object.values(result.changed).join('\n')).not.toContain('defineScope');
  });
});

describe('copies of a context, the reader’s module first', () => {
  it('the browser launched beside the opener’s copy joins the opener’s part, whichever module comes first', () => {
    const fixture = loadFixtureCases('session-scope').find((c) => c.name === 'context-copies-v1')!;
    // The same server with the reader's module named so that it is read first.
    const rename = (text: string) => text.replace("'./read.js'", "'./a-read.js'");
    const input = Object.fromEntries(Object.entries(fixture.input).map(([path, text]) => [path === 'src/read.ts' ? 'src/a-read.ts' : path, rename(text)]));
    const result = transformFiles(input, { transforms: TRANSFORMS });
    const open = result.changed['src/open.ts']!;
    expect(open).toContain('browser: null as Browser | null,');
    expect(open).toContain('session.browser = await chromium.launch({ headless: true });');
    expect(Object.values(result.changed).join('\n')).not.toContain(TODO_MARKER);
  });
});
