import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ScaffoldError } from '../../src/scaffold/errors.js';
import { projectNameError } from '../../src/scaffold/names.js';
import { NEW_QUESTIONS, toNewProjectOptions } from '../../src/scaffold/new-options.js';
import { inquirerPrompter } from '../../src/scaffold/prompter.js';
import { flagName, flagProperty } from '../../src/scaffold/questions.js';
import { resolveAnswers } from '../../src/scaffold/resolve.js';
import { optionsWith } from './options.js';

const quiet = { interactive: false, env: {} };

describe('new: resolving answers without a terminal', () => {
  it('takes every default with only a name', async () => {
    const answers = await resolveAnswers(NEW_QUESTIONS, { name: 'demo-server' }, quiet);
    expect(toNewProjectOptions(answers)).toEqual(optionsWith({ git: true, install: true }));
  });

  it('keeps every flag value as given', async () => {
    const flags = { name: '@acme/tools', description: 'Tools', transport: 'http', framework: 'hono', store: 'redis', auth: 'bearer', example: 'none', packageManager: 'pnpm', git: false, install: false };
    expect(toNewProjectOptions(await resolveAnswers(NEW_QUESTIONS, flags, quiet))).toEqual({ ...flags, transport: 'http', framework: 'hono' });
  });

  it('fails clearly when a required value is missing', async () => {
    await expect(resolveAnswers(NEW_QUESTIONS, {}, quiet)).rejects.toThrow(new ScaffoldError('missing-value', 'missing project name: pass it as the first argument or --name <name> (no terminal to ask on, or --yes was given)'));
  });

  it.each([
    [{ name: 'My Server' }, '--name: the project name "My Server" has uppercase letters; npm package names are lowercase'],
    [{ name: 'demo', transport: 'websocket' }, '--transport must be one of both, http, stdio; got "websocket"'],
    [{ name: 'demo', framework: 'fastify' }, '--framework must be one of node, express, hono; got "fastify"'],
    [{ name: 'demo', transport: 'stdio', framework: 'express' }, '--framework applies only to servers with an HTTP transport (--transport http or both)'],
    [{ name: 'demo', transport: 'stdio', auth: 'bearer' }, '--auth applies only to servers with an HTTP transport (stdio has no bearer tokens)'],
    [{ name: 'demo', description: 'two\nlines' }, '--description: the description must be one line'],
  ])('rejects %j instead of replacing it', async (flags, message) => {
    await expect(resolveAnswers(NEW_QUESTIONS, flags, quiet)).rejects.toThrow(new ScaffoldError('invalid-option', message));
  });

  it('defaults the package manager to the one that ran us', async () => {
    const answers = await resolveAnswers(NEW_QUESTIONS, { name: 'demo' }, { interactive: false, env: { npm_config_user_agent: 'pnpm/9.12.0 npm/? node/v20.19.0 linux x64' } });
    expect(answers.packageManager).toBe('pnpm');
  });

  it('gives every question a flag that maps to its answer key', () => {
    for (const question of NEW_QUESTIONS) {
      expect(flagName(question)).toMatch(/^--[a-z-]+$/);
      expect(flagProperty(question)).toBe(question.key);
    }
  });
});

describe('project names', () => {
  it.each(['demo', 'my-server', '@acme/mcp-tools', 'a.b_c~d'])('accepts %s', (name) => {
    expect(projectNameError(name)).toBeUndefined();
  });
  it.each(['', ' demo', 'Demo', 'my server', '.hidden', '_private', '@acme', '@acme/', 'a/b', 'node_modules', 'x'.repeat(215)])('rejects %j', (name) => {
    expect(projectNameError(name)).toBeTypeOf('string');
  });
});

describe('new: prompting', () => {
  it('asks only what the flags left open, through the real prompts, and validates typed values', async () => {
    const input = new PassThrough();
    // inquirer pipes each prompt's output into this stream and ends it when the prompt closes; a terminal
    // never ends, so neither does this stand-in for one.
    const output = new PassThrough();
    output.end = () => output;
    let screen = '';
    const answered = () => screen.split('✔').length - 1;
    // Each step types once its trigger shows on screen: the first prompt, the validation message, then each completed answer.
    const script: Array<[() => boolean, string]> = [
      [() => screen.includes('Project name'), 'Bad Name\r'],
      [() => screen.includes('uppercase letters'), `${'\x7f'.repeat(8)}notes-server\r`],
      [() => answered() === 1, '\r'], // description: default
      [() => answered() === 2, '\r'], // transports: both
      [() => answered() === 3, '\x1b[B\r'], // handle store: down to redis
      [() => answered() === 4, '\r'], // auth: none
      [() => answered() === 5, '\r'], // example: notebook
      [() => answered() === 6, '\r'], // package manager: npm
      [() => answered() === 7, 'n\r'], // git: no
    ];
    output.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      const [ready, keys] = script[0] ?? [];
      if (ready?.() && keys !== undefined) {
        script.shift();
        setTimeout(() => input.write(keys), 10);
      }
    });
    const answers = await resolveAnswers(NEW_QUESTIONS, { framework: 'express', install: false }, { interactive: true, prompter: inquirerPrompter({ input, output }), env: {} });
    expect(script).toEqual([]);
    expect(toNewProjectOptions(answers)).toEqual(optionsWith({ name: 'notes-server', framework: 'express', store: 'redis', git: false, install: false }));
    expect(screen).not.toContain('HTTP framework');
    expect(screen).not.toContain('Install dependencies');
  }, 10_000);
});
