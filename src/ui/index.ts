export { App, screenOf, type AppProps } from './app.js';
export { calculateLayout, type Layout } from './layout.js';
export { runApp, type RunAppOptions } from './run-app.js';
