export declare const CLI_BUNDLE_INPUTS: readonly string[];
export declare function newestMtime(path: string): number;
export declare function isFresh(output: string, inputs: readonly string[]): boolean;
