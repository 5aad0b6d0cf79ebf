/** The CLI's version: the package's (a unit test keeps them equal). */
export const VERSION = '0.1.0';
