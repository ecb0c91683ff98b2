import path from 'node:path';
import ts from 'typescript';

// Parsed files, shared by the programs of one test file: every case reads the same lib and
// package declarations, and parsing them again for each would take most of the time.
const parsed = new Map<string, ts.SourceFile>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile;
  host.getSourceFile = (fileName, version, onError, fresh) => {
    const key = typeof version === 'object' ? `${fileName}|${version.languageVersion}|${version.impliedNodeFormat}` : `${fileName}|${version}`;
    let file = parsed.get(key);
    if (file === undefined) {
      file = read(fileName, version, onError, fresh);
      if (file !== undefined) parsed.set(key, file);
    }
    return file;
  };
  return host;
}

/** True for declarations of a package other than rx-background-fetch (rxjs, @types/node…), TypeScript's libs excepted. */
const otherPackage = (fileName: string) => /\/node_modules\/(?!rx-background-fetch\/|typescript\/lib\/)/.test(fileName);

/**
 * What {@link typeCheck} found: the errors, and which declaration files of the package were read.
 *
 * @example
 * const { errors, declarations }: TypeCheck = typeCheck(consumer.dir, { module: 'node16' }, ['cjs/ponyfill.ts']);
 * expect(declarations).toContain('dist/index.d.cts');
 */
export interface TypeCheck {
  /** Formatted as tsc prints them; `[]` for none. */
  errors: string[];
  /** Paths inside the package, e.g. `dist/index.d.cts`, sorted. */
  declarations: string[];
}

/**
 * Type-checks `files` of the project in `dir` as `tsc --noEmit` would with these compiler options
 * (tsconfig.json spelling) on top of `strict` and `skipLibCheck: false`: the project's files,
 * rx-background-fetch's declarations and TypeScript's libs (where a clash with the package's
 * global augmentations would be reported). Other packages' declarations are not checked (which
 * takes seconds per case): nothing of ours is in them.
 *
 * @example
 * const { errors } = typeCheck(consumer.dir, { module: 'nodenext', lib: ['ES2022'], types: ['node'] }, ['node.ts']);
 * expect(errors).toEqual([]);
 */
export function typeCheck(dir: string, options: Record<string, unknown>, files: string[]): TypeCheck {
  const converted = ts.convertCompilerOptionsFromJson({ strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', ...options }, dir);
  const program = ts.createProgram({ rootNames: files.map((file) => path.join(dir, file)), options: converted.options, host: cachingHost(converted.options) });
  const checked = program.getSourceFiles().filter((file) => !otherPackage(file.fileName));
  const diagnostics = [
    ...converted.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ];
  const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (file) => file, getCurrentDirectory: () => dir, getNewLine: () => '\n' };
  const packageDir = path.join(dir, 'node_modules', 'rx-background-fetch');
  const declarations = checked.map((file) => path.relative(packageDir, file.fileName)).filter((file) => !file.startsWith('..'));
  return { errors: diagnostics.map((diagnostic) => ts.formatDiagnostic(diagnostic, host).trim()), declarations: declarations.sort() };
}
