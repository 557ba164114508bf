// Types for the build script, so tests and the dev runner can import it under strict TypeScript.
export declare const EXTERNAL: string[];
export declare const BUDGETS: Record<string, number> & { default: number };
export declare function functionNames(): string[];
export interface BuildRow {
  name: string;
  bytes: number;
  map: number;
  budget: number;
  dependencies: string[];
}
export declare function buildFunction(name: string, options?: { quiet?: boolean }): Promise<BuildRow>;
export declare function buildFunctions(options?: { names?: string[]; quiet?: boolean }): Promise<BuildRow[]>;
