// The package's public surface; each part adds its exports here as it is built.
export {};
