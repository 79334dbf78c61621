import type { ActionProvider } from '../types.js';
import { templateRender } from './template-render.js';

export { templateRender } from './template-render.js';
export { renderTemplate, type RenderOptions } from './render.js';
export { TEMPLATE_HELPERS } from './helpers.js';

/** The content actions: `template.render`. */
export const contentProvider: ActionProvider = { name: 'content', actions: [templateRender] };
