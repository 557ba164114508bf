/**
 * A minimal valid environment for each function, so its bundle can start outside the dev stack: the samples of the
 * one settings catalogue (ops/settings/).
 */
export { FUNCTION_SAMPLES as FUNCTION_ENV } from '../../ops/settings/functions.ts';
