/** Length in user-perceived characters (code points), not UTF-16 units. */
export const charLength = (value: string): number => [...value].length;

/** Removes ASCII and Unicode control characters except tab and newline. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
export const stripControl = (value: string): string => value.replace(CONTROL, '');

/**
 * Text as it may be stored: control characters removed, and unpaired UTF-16 surrogates
 * (which no database encoding can hold) replaced by U+FFFD.
 */
export const cleanText = (value: string): string => stripControl(value).toWellFormed();

/** True when the text holds control characters (line breaks and tabs included) or unpaired surrogates. */
export const hasUnstorableCharacters = (value: string): boolean => /[\u0000-\u001F\u007F]/.test(value) || !value.isWellFormed();
