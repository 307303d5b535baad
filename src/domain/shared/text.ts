/** Length in user-perceived characters (code points), not UTF-16 units. */
export const charLength = (value: string): number => [...value].length;

/** Removes ASCII and Unicode control characters except tab and newline. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
export const stripControl = (value: string): string => value.replace(CONTROL, '');
