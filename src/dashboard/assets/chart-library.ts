import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's browser build and style sheet, read once from node_modules: served by our own routes, never from a CDN. */
export interface ChartLibrary {
  script: string;
  styleSheet: string;
}

/**
 * Reads uPlot (MIT, no dependencies, about 50 KB) from node_modules.
 *
 * @example
 *   const { script } = loadChartLibrary(); // served as /assets/uplot.js
 */
export function loadChartLibrary(): ChartLibrary {
  const require = createRequire(import.meta.url);
  return {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    styleSheet: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}
