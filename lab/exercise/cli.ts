#!/usr/bin/env node
// `npm run exercise -- list | start N | check N [--json] | reset N | report DIR`
import module from 'node:module';
import { fs, util } from '../node-builtins.ts';
import path from 'node:path';
import { defaultLang, type Lang } from '../trace/language.ts';
import { listExercises, resolveExercise, type Exercise } from './load.ts';
import { defaultWorkRoot, resetWork, startWork, workFolder } from './work-folder.ts';
import { renderReport, gatherReports, reportTable, reportCsv } from './report.ts';

module.enableCompileCache?.();

const HELP = {
  ko: `mail-lab 연습: 스스로 채점하는 메일 서버 과제

사용법: npm run exercise -- <명령> [옵션]

  list               연습 목록
  start N            연습 N의 시작 파일을 작업 폴더(work/NN-이름)에 복사하고 할 일을 보여 줍니다
  check N            새 실습망을 작업 폴더의 파일로 띄워 확인하고 점수를 보여 줍니다
                     (모든 확인을 통과해야 종료 코드 0)
  reset N            작업 폴더를 지우고 시작 파일을 다시 복사합니다
  report DIR         학생들이 낸 --json 보고서(DIR/*.json)를 한 표로 모읍니다

옵션:
  --json             check: 보고서를 JSON으로 화면에
  --out FILE         check: JSON 보고서를 FILE에도 씁니다 (선생님께 낼 파일, 예: 이름-1.json)
  --student NAME     check: 보고서의 학생 이름 (기본: 로그인 이름)
  --work DIR         작업 폴더들이 있는 곳 (기본: ./work)
  --csv FILE         report: 같은 표를 CSV로도 씁니다
  --lang ko|en       언어 (기본: LANG에 따라)
`,
  en: `mail-lab exercises: mail server tasks that grade themselves

Usage: npm run exercise -- <command> [options]

  list               the exercises
  start N            copy exercise N's starting files into its work folder (work/NN-name) and
                     say what to do
  check N            start a fresh lab on the work folder's files, run the checks, print the
                     score (exit status 0 only when every check passed)
  reset N            remove the work folder and copy the starting files again
  report DIR         gather the students' --json reports (DIR/*.json) into one table

Options:
  --json             check: the report as JSON on the screen
  --out FILE         check: write the JSON report to FILE too (the file to hand in, e.g. name-1.json)
  --student NAME     check: the student's name in the report (default: the login name)
  --work DIR         where the work folders are (default: ./work)
  --csv FILE         report: write the same table as CSV too
  --lang ko|en       the language (default from LANG)
`,
};

function fail(message: string, code = 2): never {
  process.stderr.write(`mail-lab exercise: ${message}\n`);
  process.exit(code);
}

/** A path as the person who typed the command sees it (npm runs us in the project folder). */
function shown(file: string): string {
  const rel = path.relative(process.env.INIT_CWD ?? process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function load(which: string | undefined, lang: Lang): Exercise {
  if (!which) fail(lang === 'ko' ? '연습 번호를 주십시오, 예: npm run exercise -- start 1 (목록: npm run exercise -- list)' : 'give an exercise number, e.g. npm run exercise -- start 1 (the list: npm run exercise -- list)');
  try {
    return resolveExercise(which);
  } catch (err) {
    fail((err as Error).message);
  }
}

function taskText(exercise: Exercise, dir: string, lang: Lang): string {
  const ko = lang === 'ko';
  const points = exercise.checks.reduce((n, c) => n + c.points, 0);
  return [
    `${ko ? '연습' : 'Exercise'} ${exercise.number}: ${exercise.title[lang]}`,
    '',
    exercise.task[lang].trimEnd(),
    '',
    `${ko ? '작업 폴더' : 'work folder'}: ${shown(dir)}`,
    `${ko ? '고칠 파일' : 'files to edit'}: ${exercise.edit.join(', ')}`,
    `${ko ? '확인' : 'checks'}: ${exercise.checks.length} (${points}${ko ? '점' : ' points'})`,
    `${ko ? '채점' : 'to grade it'}: npm run exercise -- check ${exercise.number}    (${ko ? '처음부터 다시' : 'to start over'}: npm run exercise -- reset ${exercise.number})`,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = util.parseArgs({
      args: process.argv.slice(2),
      options: {
        json: { type: 'boolean' }, out: { type: 'string' }, student: { type: 'string' }, work: { type: 'string' }, csv: { type: 'string' },
        lang: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    fail(`${(err as Error).message}; see "npm run exercise -- --help"`);
  }
  const { values, positionals } = parsed;
  if (values.lang !== undefined && values.lang !== 'ko' && values.lang !== 'en') fail(`--lang ${values.lang}: write ko or en`);
  const lang: Lang = (values.lang as Lang | undefined) ?? defaultLang();
  const ko = lang === 'ko';
  const [command, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP[lang]);
    return command || values.help ? 0 : 2;
  }
  const root = values.work ? path.resolve(process.env.INIT_CWD ?? process.cwd(), values.work) : defaultWorkRoot();

  switch (command) {
    case 'list': {
      let exercises: Exercise[];
      try {
        exercises = listExercises();
      } catch (err) {
        fail((err as Error).message);
      }
      for (const e of exercises) {
        const points = e.checks.reduce((n, c) => n + c.points, 0);
        const started = fs.existsSync(workFolder(e, root));
        process.stdout.write(`${String(e.number).padStart(2)}  ${e.name.padEnd(24)} ${e.title[lang]}  (${points}${ko ? '점' : ' points'}${started ? (ko ? ', 시작함' : ', started') : ''})\n`);
      }
      return 0;
    }
    case 'start':
    case 'reset': {
      const exercise = load(arg, lang);
      const dir = workFolder(exercise, root);
      if (command === 'reset') resetWork(exercise, dir);
      else if (!startWork(exercise, dir)) {
        process.stdout.write(ko ? `이미 시작한 연습입니다: ${shown(dir)}의 파일은 그대로 둡니다.\n\n` : `Already started: the files in ${shown(dir)} are left as they are.\n\n`);
      }
      process.stdout.write(taskText(exercise, dir, lang));
      return 0;
    }
    case 'check': {
      const exercise = load(arg, lang);
      const dir = workFolder(exercise, root);
      const { checkExercise } = await import('./check-exercise.ts');
      let report;
      try {
        report = await checkExercise(exercise, dir, { student: values.student, shownWork: shown(dir) });
      } catch (err) {
        fail(ko && /^no work folder/.test((err as Error).message) ? `작업 폴더가 없습니다: ${shown(dir)}. 먼저 npm run exercise -- start ${exercise.number}` : (err as Error).message);
      }
      const json = `${JSON.stringify(report, null, 2)}\n`;
      if (values.out) {
        const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), values.out);
        fs.writeFileSync(file, json);
      }
      process.stdout.write(values.json ? json : renderReport(report, lang));
      if (values.out && !values.json) process.stdout.write(ko ? `보고서: ${shown(path.resolve(process.env.INIT_CWD ?? process.cwd(), values.out))}\n` : `report: ${shown(path.resolve(process.env.INIT_CWD ?? process.cwd(), values.out))}\n`);
      return report.passed ? 0 : 1;
    }
    case 'report': {
      if (!arg) fail(ko ? '보고서 폴더를 주십시오, 예: npm run exercise -- report reports/' : 'give the folder of the reports, e.g. npm run exercise -- report reports/');
      const dir = path.resolve(process.env.INIT_CWD ?? process.cwd(), arg);
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) fail(ko ? `${arg}: 폴더가 아닙니다` : `${arg} is not a folder`);
      const { reports, skipped } = gatherReports(dir);
      for (const s of skipped) process.stderr.write(`${ko ? '건너뜀' : 'skipped'}: ${s}\n`);
      if (!reports.length) fail(ko ? `${arg}에 보고서(.json)가 없습니다` : `no reports (.json) in ${arg}`, 1);
      process.stdout.write(reportTable(reports, lang));
      if (values.csv) {
        const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), values.csv);
        fs.writeFileSync(file, reportCsv(reports));
        process.stdout.write(ko ? `\nCSV: ${shown(file)}\n` : `\nCSV: ${shown(file)}\n`);
      }
      return 0;
    }
    default:
      fail(ko ? `알 수 없는 명령 "${command}"; list, start, check, reset, report 중 하나` : `unknown command "${command}"; write one of list, start, check, reset, report`);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`mail-lab exercise: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
