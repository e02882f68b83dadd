export type Lang = 'ko' | 'en';

/** --lang, else LANG/LC_ALL: Korean when the locale says ko, English otherwise. */
export function defaultLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ko/i.test(locale) ? 'ko' : 'en';
}
