/**
 * The scaffolder as a library: `new` renders a sessionless server project into an in-memory file
 * map and plans its writes; `add handle` plans adding a handle family to an existing v2 server.
 * Nothing here prints; the CLI commands (src/cli/commands/new.ts, add.ts) are thin layers over it.
 */
export { NEW_QUESTIONS, toNewProjectOptions, type NewProjectOptions, type TransportChoice, type FrameworkChoice, type StoreChoice, type AuthChoice, type ExampleChoice, type PackageManagerChoice } from './new-options.js';
export { addHandleQuestions } from './add-options.js';
export { resolveAnswers, type ResolveContext } from './resolve.js';
export { inquirerPrompter, type Prompter, type PromptStreams } from './prompter.js';
export type { Question, Answers, Choice } from './questions.js';
export { renderNewProject, newProjectData, type FileMap } from './render-new.js';
export { planNewProject, type NewProjectPlan, type NewProjectTarget } from './new-project.js';
export { planAddHandle, findHandleStore, type AddHandleRequest, type AddHandlePlan } from './add-handle.js';
export { NOTEBOOK, familyTools, type FamilySpec } from './family.js';
export { writeChanges, planFiles } from './writer.js';
export { initGit, installDependencies, type GitOutcome, type CommandResult } from './post.js';
export { formatTree } from './tree.js';
export { ScaffoldError, type ScaffoldErrorCode } from './errors.js';
