/** The ui package's version, set by vite at build time. */
declare const __STUDIO_VERSION__: string;
/** When the bundle was built (ISO 8601), set by vite at build time. */
declare const __STUDIO_BUILT_AT__: string;
