import type { Project } from 'ts-morph';
import { createMemoryProject, projectPath, syntaxErrors } from '../engine/parse.js';
import { analyzeProject } from './analyze.js';
import type { ServerModel } from './model.js';

/** The model of in-memory sources, with the project it was built from and each file's parse errors. */
export interface AnalyzedSources {
  project: Project;
  model: ServerModel;
  /** Parse errors by root-relative path (files with errors are still analysed as far as they parse). */
  parseErrors: Record<string, string[]>;
}

/** Analyse root-relative path → text pairs in an in-memory ts-morph project. */
export function analyzeSources(files: Readonly<Record<string, string>>): AnalyzedSources {
  const project = createMemoryProject();
  const parseErrors: Record<string, string[]> = {};
  for (const [path, text] of Object.entries(files)) {
    const file = project.createSourceFile(projectPath(path), text, { overwrite: true });
    const errors = syntaxErrors(file);
    if (errors.length > 0) parseErrors[path] = errors;
  }
  return { project, model: analyzeProject(project), parseErrors };
}
