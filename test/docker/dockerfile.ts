/**
 * Just enough of a Dockerfile parser to check ours without a Docker engine: continuation lines
 * joined, comments dropped, instructions grouped by stage, ENV pairs and exec-form arrays read.
 */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [from = '', , name] = instruction.args.split(' ');
      stages.push({ name: name ?? String(stages.length), from, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

export function args(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** `ENV A=1 B=2` (the form we write; values without spaces or quotes). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of args(stage, 'ENV')) {
    for (const pair of line.split(' ')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`ENV without NAME=value: ${line}`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** The JSON array of an exec-form instruction; throws on the shell form. */
export function execForm(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`not exec form: ${text}`);
  return parsed;
}

/** HEALTHCHECK [--option=value …] CMD [exec form]. */
export function healthcheck(stage: Stage): { options: Record<string, string>; command: string[] } {
  const [line] = args(stage, 'HEALTHCHECK');
  const match = /^((?:--\S+=\S+ )*)CMD (\[.*\])$/.exec(line ?? '');
  if (!match) throw new Error(`HEALTHCHECK is not "[options] CMD [exec form]": ${line}`);
  const options = Object.fromEntries(
    (match[1] ?? '')
      .trim()
      .split(' ')
      .filter((o) => o !== '')
      .map((o) => o.slice(2).split('=') as [string, string]),
  );
  return { options, command: execForm(match[2] ?? '') };
}
