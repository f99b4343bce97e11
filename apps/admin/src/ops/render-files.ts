import type { PlannedFile, RenderPlan, TemplateName } from './render-plan.js';
import { renderTemplate } from './template.js';

export interface RenderedFile extends PlannedFile {
  text: string;
}

/** Renders each file of the plan from its template's text. Pure; throws TemplateError. */
export function renderFiles(plan: RenderPlan, templates: Readonly<Record<TemplateName, string>>): RenderedFile[] {
  return plan.files.map((file) => ({ ...file, text: renderTemplate(`ops/${file.template}`, templates[file.template], plan.values) }));
}
