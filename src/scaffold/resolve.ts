import { ScaffoldError } from './errors.js';
import type { Prompter } from './prompter.js';
import { flagName, type Answers, type Question } from './questions.js';

/** How the resolver may fill values the flags left open. */
export interface ResolveContext {
  /** Prompt for open values (a terminal is attached and --yes was not given). */
  interactive: boolean;
  /** Required when interactive. */
  prompter?: Prompter;
  /** For defaults that depend on the environment (e.g. the package manager that ran us). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Answer every question in table order: the flag value when given (validated, never replaced),
 * else a prompt when interactive, else the default. A required value with no flag in a
 * non-interactive run, an invalid value, or a flag for a question that does not apply is an error.
 */
export async function resolveAnswers(questions: readonly Question[], flags: Answers, context: ResolveContext): Promise<Answers> {
  const env = context.env ?? process.env;
  const answers: Answers = {};
  for (const question of questions) {
    const given = flags[question.key];
    if (question.when && !question.when(answers)) {
      if (given !== undefined) {
        throw new ScaffoldError('invalid-option', `${flagName(question)} ${question.inapplicable ?? 'does not apply to the other options given'}`);
      }
      continue;
    }
    if (given !== undefined) {
      answers[question.key] = checked(question, given);
    } else if (context.interactive) {
      if (!context.prompter) throw new Error('an interactive run needs a prompter');
      answers[question.key] = await ask(question, answers, context.prompter, env);
    } else {
      answers[question.key] = defaultOf(question, answers, env);
    }
  }
  return answers;
}

function checked(question: Question, value: string | boolean): string | boolean {
  const flag = flagName(question);
  switch (question.type) {
    case 'confirm':
      if (typeof value !== 'boolean') throw new ScaffoldError('invalid-option', `${flag} is a switch; it takes no value`);
      return value;
    case 'select': {
      const allowed = question.choices.map((c) => c.value);
      if (typeof value !== 'string' || !allowed.includes(value)) {
        throw new ScaffoldError('invalid-option', `${flag} must be one of ${allowed.join(', ')}; got "${String(value)}"`);
      }
      return value;
    }
    case 'input': {
      if (typeof value !== 'string') throw new ScaffoldError('invalid-option', `${flag} needs a value`);
      const error = question.validate(value);
      if (error) throw new ScaffoldError('invalid-option', `${flag}: ${error}`);
      return value;
    }
  }
}

async function ask(question: Question, answers: Answers, prompter: Prompter, env: NodeJS.ProcessEnv): Promise<string | boolean> {
  switch (question.type) {
    case 'confirm':
      return prompter.confirm({ message: question.message, default: question.default });
    case 'select':
      return prompter.select({ message: question.message, choices: question.choices, default: question.default(answers, env) });
    case 'input':
      return prompter.input({ message: question.message, default: question.default?.(answers, env), validate: question.validate });
  }
}

function defaultOf(question: Question, answers: Answers, env: NodeJS.ProcessEnv): string | boolean {
  if (question.type === 'confirm') return question.default;
  if (question.type === 'select') return question.default(answers, env);
  const value = question.default?.(answers, env);
  if (value === undefined) {
    throw new ScaffoldError('missing-value', `missing ${question.message.toLowerCase()}: pass ${question.howToPass ?? question.flag} (no terminal to ask on, or --yes was given)`);
  }
  const error = question.validate(value);
  if (error) throw new ScaffoldError('invalid-option', `${flagName(question)}: ${error}`);
  return value;
}
