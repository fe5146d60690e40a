import { confirm, input, select } from '@inquirer/prompts';
import type { Choice } from './questions.js';

/** What the resolver needs from an interactive terminal; tests and other front ends can supply their own. */
export interface Prompter {
  input(question: { message: string; default?: string; validate: (value: string) => string | undefined }): Promise<string>;
  select(question: { message: string; choices: readonly Choice[]; default: string }): Promise<string>;
  confirm(question: { message: string; default: boolean }): Promise<boolean>;
}

/** Streams for the prompts; the defaults are the process's own stdin/stdout. */
export interface PromptStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** The inquirer-backed prompter the CLI uses. */
export function inquirerPrompter(streams: PromptStreams = {}): Prompter {
  const context = { input: streams.input, output: streams.output, clearPromptOnDone: false } as Parameters<typeof input>[1];
  return {
    input: (q) =>
      input(
        {
          message: q.message,
          default: q.default,
          // inquirer treats a string as the error to show and true as accepted.
          validate: (value: string) => q.validate(value) ?? true,
        },
        context,
      ),
    select: (q) => select({ message: q.message, default: q.default, choices: q.choices.map((c) => ({ value: c.value, name: c.label })) }, context),
    confirm: (q) => confirm({ message: q.message, default: q.default }, context),
  };
}
