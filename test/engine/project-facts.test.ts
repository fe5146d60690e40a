import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lowestRelease, readProjectFacts } from '../../src/engine/project-facts.js';
import { atLeast, missingFeature, supportsFeature } from '../../src/rules/sdk-features.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe('project facts', () => {
  it('reads the installed SDK release, which wins over the declared range', () => {
    project = tempProject({ 'package.json': JSON.stringify({ dependencies: { '@modelcontextprotocol/sdk': '^1.20.0' } }), 'src/index.ts': '' });
    mkdirSync(join(project.dir, 'node_modules', '@modelcontextprotocol'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', 'mcp-sdk-1.0.1'), join(project.dir, 'node_modules', '@modelcontextprotocol', 'sdk'), 'dir');
    expect(readProjectFacts(join(project.dir, 'src'))).toEqual({ sdks: [{ package: '@modelcontextprotocol/sdk', version: '1.0.1', source: 'installed' }] });
  });

  it('falls back to the lowest release the nearest package.json admits', () => {
    project = tempProject({
      'package.json': JSON.stringify({ devDependencies: { '@modelcontextprotocol/server': '~2.1' } }),
      'packages/api/package.json': JSON.stringify({ dependencies: { '@modelcontextprotocol/sdk': '>=1.9 <2' } }),
    });
    expect(readProjectFacts(join(project.dir, 'packages', 'api'))).toEqual({
      sdks: [
        { package: '@modelcontextprotocol/sdk', version: '1.9.0', source: 'declared' },
        { package: '@modelcontextprotocol/server', version: '2.1.0', source: 'declared' },
      ],
    });
  });

  it('knows nothing when nothing names the SDK', () => {
    project = tempProject({ 'package.json': JSON.stringify({ dependencies: { zod: '^4' } }) });
    expect(readProjectFacts(project.dir)).toEqual({ sdks: [] });
  });

  it.each([
    ['1.0.1', '1.0.1'],
    ['^1.13.2', '1.13.2'],
    ['~1.12', '1.12.0'],
    ['1.x', '1.0.0'],
    ['>=1.10.0 <2.0.0', '1.10.0'],
    ['^1.20.0 || ^1.11.4', '1.11.4'],
    ['1.2.0 - 1.4.0', '1.2.0'],
    ['npm:@modelcontextprotocol/sdk@^1.6.1', '1.6.1'],
    ['2.0.0-beta.3', '2.0.0'],
    ['*', undefined],
    ['latest', undefined],
    ['workspace:*', undefined],
    ['catalog:', undefined],
  ])('the lowest release of %s is %s', (range, lowest) => {
    expect(lowestRelease(range)).toBe(lowest);
  });
});

describe('SDK features', () => {
  const pinned = (version: string) => [{ package: '@modelcontextprotocol/sdk' as const, version, source: 'installed' as const }];

  it('compares releases by number, pre-releases as their release', () => {
    expect(atLeast('1.13.0', '1.13.0')).toBe(true);
    expect(atLeast('1.12.3', '1.13.0')).toBe(false);
    expect(atLeast('1.100.0', '1.13.0')).toBe(true);
    expect(atLeast('2.0.0-alpha.1', '2.0.0')).toBe(true);
  });

  it('answers from the first release of each feature', () => {
    expect(supportsFeature(pinned('1.0.1'), 'v1', 'resource-link')).toBe(false);
    expect(supportsFeature(pinned('1.12.3'), 'v1', 'resource-link')).toBe(false);
    expect(supportsFeature(pinned('1.13.0'), 'v1', 'resource-link')).toBe(true);
    expect(supportsFeature(pinned('1.11.3'), 'v1', 'structured-output')).toBe(false);
    expect(supportsFeature(pinned('1.11.4'), 'v1', 'register-tool')).toBe(true);
    expect(supportsFeature(pinned('1.9.0'), 'v1', 'streamable-http')).toBe(false);
  });

  it('allows everything when the release is unknown, and asks every SDK the project has when the line is', () => {
    expect(supportsFeature([], 'v1', 'resource-link')).toBe(true);
    expect(supportsFeature(pinned('1.0.1'), 'v2', 'resource-link')).toBe(true);
    expect(supportsFeature(pinned('1.0.1'), undefined, 'structured-output')).toBe(false);
    expect(supportsFeature(pinned('1.32.0'), undefined, 'structured-output')).toBe(true);
  });

  it('says what is missing', () => {
    expect(missingFeature(pinned('1.0.1'), 'v1', 'resource-link')).toBe('`resource_link` content needs @modelcontextprotocol/sdk 1.13.0; the project has 1.0.1');
  });
});
