/**
 * Questions as data. Every question has a flag and a default; the resolver applies
 * `flag ?? (interactive ? prompt : default)` to each, in table order, so the CLI, the prompts,
 * --yes and non-TTY runs all go through one path.
 */

/** The answers gathered so far, keyed by question key. */
export type Answers = Record<string, string | boolean | undefined>;

/** One choice of a select question. */
export interface Choice {
  value: string;
  /** Shown in the prompt. */
  label: string;
}

interface QuestionBase {
  key: string;
  /** The CLI flag that answers it, as commander spells it (`--transport <kind>`, `--git`). */
  flag: string;
  /** Prompt text. */
  message: string;
  /** One line for --help. */
  help: string;
  /** When present and false for the answers so far, the question does not apply: it is not asked and its flag is refused. */
  when?: (answers: Answers) => boolean;
  /** Why the flag was refused when `when` is false (completes "--flag ..."). */
  inapplicable?: string;
}

export interface InputQuestion extends QuestionBase {
  type: 'input';
  /** Undefined means required: non-interactive runs must pass the flag. */
  default?: (answers: Answers, env: NodeJS.ProcessEnv) => string | undefined;
  /** How to pass a required value, for the error when it is missing (default: the flag). */
  howToPass?: string;
  /** Error message for an unacceptable value, or undefined. */
  validate: (value: string) => string | undefined;
}

export interface SelectQuestion extends QuestionBase {
  type: 'select';
  choices: readonly Choice[];
  default: (answers: Answers, env: NodeJS.ProcessEnv) => string;
}

export interface ConfirmQuestion extends QuestionBase {
  type: 'confirm';
  default: boolean;
}

export type Question = InputQuestion | SelectQuestion | ConfirmQuestion;

/** The flag name alone, without its value placeholder: `--transport <kind>` → `--transport`. */
export function flagName(question: Question): string {
  return question.flag.split(/[ ,]/)[0] ?? question.flag;
}

/** The commander property a flag lands in: `--package-manager` → `packageManager`. */
export function flagProperty(question: Question): string {
  return flagName(question)
    .replace(/^--(no-)?/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Help text including the accepted values and the default, derived from the table. */
export function helpText(question: Question): string {
  if (question.type === 'select') {
    return `${question.help}: ${question.choices.map((c) => c.value).join(' | ')} (default: ${question.default({}, {})})`;
  }
  if (question.type === 'confirm') return `${question.help} (default: ${question.default ? 'yes' : 'no'})`;
  return question.help;
}
